"""Domain errors of workshops and paper entry (the hierarchy's root: ``participation.errors``)."""

from flask_babel import lazy_gettext as _l

from ..errors import NotAllowed, ParticipationError

__all__ = [
    "AttendanceFirst",
    "EntryClosed",
    "NotAllowed",
    "PaperClosed",
    "PaperInvalid",
    "TooManyStickers",
    "UnknownCode",
    "WorkshopError",
    "WorkshopInvalid",
    "WorkshopsOver",
]


class WorkshopError(ParticipationError):
    message = _l("This action is not possible for this workshop.")


class EntryClosed(WorkshopError):
    message = _l(
        "This workshop is marked as transcribed: reopen it for entry to type in more or correct."
    )


class WorkshopsOver(WorkshopError):
    message = _l(
        "The workshops of this consultation are over: no workshop can be planned in it any more."
    )


class PaperClosed(WorkshopError):
    message = _l(
        "Paper input for this workshop is closed: the consultation's workshops phase and the "
        "grace period after the workshop have ended."
    )


class AttendanceFirst(WorkshopError):
    message = _l(
        "Type in how many people came first: sticker votes are checked against the attendance."
    )
    field = "attendance"


class TooManyStickers(WorkshopError):
    def __init__(self, total: int, bound: int, workshop):
        super().__init__(
            _l(
                "%(total)d sticker votes in all is more than this workshop can have given: "
                "%(attendance)d participants × %(each)d stickers = %(bound)d.",
                total=total,
                attendance=workshop.attendance,
                each=workshop.round.stickers_per_person,
                bound=bound,
            )
        )


class AttendanceBelowStickers(WorkshopError):
    def __init__(self, needed: int):
        super().__init__(
            _l(
                "The sticker votes already counted need at least %(num)d participants.",
                num=needed,
            )
        )

    field = "attendance"


class StateNotAllowed(WorkshopError):
    message = _l("This change of state is not possible now.")


class UnknownCode(WorkshopError):
    def __init__(self, code: str):
        super().__init__(_l("No proposal of this consultation has the code “%(code)s”.", code=code))


class NotSupportable(WorkshopError):
    def __init__(self, code: str):
        super().__init__(
            _l(
                "The proposal %(code)s cannot receive sticker votes: it is not public, or it was "
                "withdrawn.",
                code=code,
            )
        )


class MergedProposal(WorkshopError):
    def __init__(self, code: str, target: str):
        super().__init__(
            _l(
                "The proposal %(code)s was merged into %(target)s: add its stickers to those "
                "of %(target)s.",
                code=code,
                target=target,
            )
        )


class NotCommentable(WorkshopError):
    message = _l("This proposal no longer accepts comments.")


class WorkshopInvalid(WorkshopError):
    """The workshop cannot be saved as typed: ``problems`` maps field names to messages."""

    message = _l("This workshop cannot be saved: please correct what is marked.")

    def __init__(self, problems: dict[str, str]):
        super().__init__()
        self.problems = problems


class PaperInvalid(WorkshopError):
    """Paper input refused as a whole: ``problems`` lists (row, column, message), row None for
    the whole input. Nothing was saved."""

    message = _l("Nothing was saved: please correct what is marked.")

    def __init__(self, problems: list[tuple[int | None, str | None, str]]):
        super().__init__()
        self.problems = problems


class FormExpired(WorkshopError):
    status = 400
    message = _l(
        "This form could not be checked, because your session changed (for example after "
        "signing in again). What you typed is kept below: please send it again."
    )
