"""Horizontal bar charts laid out here and drawn as inline SVG by ``opendata/_chart.html``.

No script and no style attribute (the CSP forbids inline styles): positions and colours are SVG
presentation attributes. Each bar carries its value and series name as text, so colour is never
the only way to tell the series apart; the same figures are given as a table beside the chart.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from ..i18n import formatted_number
from ..models import MasterplanStatus
from ..templating import localdate

WIDTH = 480
LABEL_HEIGHT = 20
BAR_HEIGHT = 18
BAR_GAP = 4
GROUP_GAP = 12
# Room on the right of the longest bar for its value and series name.
VALUE_ROOM = 170
# Bars with at least 4.5:1 contrast on the page's paper colour (values are written in ink).
COLOURS = ("#123d5a", "#a33a22", "#1d6b38")


@dataclass(frozen=True)
class Series:
    name: str
    values: list[int]
    # A value with its noun, singular or plural as the value asks ("1 proposal", "2 proposals"):
    # ngettext with the number written the locale's way as ``%(count)s``.
    counted: Callable[[int], str] | None = None

    def label(self, value: int) -> str:
        if self.counted is not None:
            return self.counted(value)
        return f"{formatted_number(value)} {self.name}"


@dataclass(frozen=True)
class Bar:
    y: int
    width: int
    value: int
    label: str
    colour: str


@dataclass(frozen=True)
class Group:
    label: str
    label_y: int
    bars: list[Bar]


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    categories: list[str]
    series: list[Series]

    @property
    def maximum(self) -> int:
        return max((v for s in self.series for v in s.values), default=0)

    @property
    def groups(self) -> list[Group]:
        scale = (WIDTH - VALUE_ROOM) / self.maximum if self.maximum else 0
        groups, y = [], 0
        for index, label in enumerate(self.categories):
            label_y = y + LABEL_HEIGHT - 6
            y += LABEL_HEIGHT
            bars = []
            for colour, series in zip(COLOURS, self.series, strict=False):
                value = series.values[index]
                # A non-zero value always shows at least a sliver of bar.
                width = max(round(value * scale), 2 if value else 0)
                bars.append(Bar(y, width, value, series.label(value), colour))
                y += BAR_HEIGHT + BAR_GAP
            groups.append(Group(label, label_y, bars))
            y += GROUP_GAP
        return groups

    @property
    def height(self) -> int:
        per_group = LABEL_HEIGHT + len(self.series) * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP
        return max(per_group * len(self.categories), 1)

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def rows(self) -> list[tuple[str, list[int]]]:
        """The figures as table rows: each category with its value in every series."""
        return [
            (label, [s.values[i] for s in self.series]) for i, label in enumerate(self.categories)
        ]


def proposals(n: int) -> str:
    return ngettext("%(count)s proposal", "%(count)s proposals", n, count=formatted_number(n))


def supports(n: int) -> str:
    return ngettext("%(count)s support", "%(count)s supports", n, count=formatted_number(n))


def comments(n: int) -> str:
    return ngettext("%(count)s comment", "%(count)s comments", n, count=formatted_number(n))


# Framework deliberations by their progress: "3 projects", "2 in progress", "1 done".
MASTERPLAN_COUNTED = {
    MasterplanStatus.PROJECT: lambda n: ngettext(
        "%(count)s project", "%(count)s projects", n, count=formatted_number(n)
    ),
    MasterplanStatus.IN_PROGRESS: lambda n: ngettext(
        "%(count)s in progress", "%(count)s in progress", n, count=formatted_number(n)
    ),
    MasterplanStatus.DONE: lambda n: ngettext(
        "%(count)s done", "%(count)s done", n, count=formatted_number(n)
    ),
}


def statistics_charts(statistics, weeks) -> dict[str, BarChart]:
    """The charts of the statistics page, by name, from ``services.round_statistics`` and
    ``services.weekly_activity``."""
    pillars = statistics.by_pillar
    # Neighbourhoods without any public contribution would only lengthen the chart.
    neighbourhoods = [f for f in statistics.by_neighbourhood if not f.is_empty]
    totals = statistics.totals
    online = _("online")
    return {
        "pillar": BarChart(
            "chart-pillar",
            _("Proposals, supports and comments by pillar"),
            [f.pillar.name for f in pillars],
            [
                Series(_("proposals"), [f.proposals for f in pillars], proposals),
                Series(_("supports"), [f.supports for f in pillars], supports),
                Series(_("comments"), [f.comments for f in pillars], comments),
            ],
        ),
        "neighbourhood": BarChart(
            "chart-neighbourhood",
            _("Proposals, supports and comments by neighbourhood"),
            [_neighbourhood_label(f) for f in neighbourhoods],
            [
                Series(_("proposals"), [f.proposals for f in neighbourhoods], proposals),
                Series(_("supports"), [f.supports for f in neighbourhoods], supports),
                Series(_("comments"), [f.comments for f in neighbourhoods], comments),
            ],
        ),
        "channel": BarChart(
            "chart-channel",
            _("Contributions by channel"),
            [_("Proposals"), _("Comments"), _("Supports")],
            [
                Series(
                    online,
                    [totals.online_proposals, totals.online_comments, totals.online_supports],
                ),
                Series(
                    _("on paper, in workshops"),
                    [totals.workshop_proposals, totals.workshop_comments, totals.paper_supports],
                ),
            ],
        ),
        "weeks": BarChart(
            "chart-weeks",
            _("Proposals and supports per week"),
            [_("Week of %(date)s", date=format_day(w.starts_on)) for w in weeks],
            [
                Series(_("proposals"), [w.proposals for w in weeks], proposals),
                Series(
                    _("online supports"),
                    [w.online_supports for w in weeks],
                    lambda n: ngettext(
                        "%(count)s online support",
                        "%(count)s online supports",
                        n,
                        count=formatted_number(n),
                    ),
                ),
                Series(
                    _("paper supports"),
                    [w.paper_supports for w in weeks],
                    lambda n: ngettext(
                        "%(count)s paper support",
                        "%(count)s paper supports",
                        n,
                        count=formatted_number(n),
                    ),
                ),
            ],
        ),
        "masterplan": BarChart(
            "chart-masterplan",
            _("Progress of the masterplan by pillar"),
            [p.pillar.name for p in statistics.masterplan],
            [
                Series(
                    str(status.title).lower(),
                    [p.counts[status.value] for p in statistics.masterplan],
                    MASTERPLAN_COUNTED[status],
                )
                for status in MasterplanStatus
            ],
        ),
    }


def _neighbourhood_label(figures) -> str:
    if figures.neighbourhood is None:
        return _("No neighbourhood given")
    return figures.neighbourhood.name


def format_day(day) -> str:
    return localdate(day, "medium")
