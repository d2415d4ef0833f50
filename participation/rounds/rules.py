"""Who creates and edits consultation rounds: active administrators. What a round's calendar
allows (proposals, supports, comments, workshops, paper input) is ``models.Round``'s."""

from ..policy import can_administer

can_edit_rounds = can_administer
