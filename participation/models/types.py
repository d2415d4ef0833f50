"""Column types shared by the models."""

import enum

from sqlalchemy import Enum


def enum_column_type(enum_class: type[enum.Enum], constraint: str, length: int) -> Enum:
    """A column holding one member of ``enum_class``: stored as its value in a VARCHAR, checked
    by a CHECK constraint named ``ck_<table>_<constraint>`` that lists the values (generated from
    the enum, so that it never drifts from it), and read back as the member itself."""
    return Enum(
        enum_class,
        name=constraint,
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )
