"""The 2018 Smart Days history and the sample content shipped with a fresh install."""
