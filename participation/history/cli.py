from flask.cli import AppGroup

history_cli = AppGroup("history", help="Load the 2018 Smart Days history.")
sample_cli = AppGroup("sample", help="Load the sample content of the open round.")
