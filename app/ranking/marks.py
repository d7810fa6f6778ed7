"""A leaderboard's rank badges and changes of rank, as markup, and its rows written in Python. "Show all"
writes some 1,800 rows, where a Jinja macro call for each mark cost a tenth of the page: here the words are
translated and escaped once per page, and a row's marks are plain string formatting (ranks and changes are
integers)."""

from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.numbers import NumberFormat
from app.services.ranking.board import Standing


class RankMarks:
    """Markup from integers (`:d`) and words escaped here, hence the `noqa: S704` on each."""

    def __init__(self) -> None:
        # What a screen reader hears beside the medals and the ▲ ▼ = of the change column.
        self.medals = {1: escape(_("gold medal")), 2: escape(_("silver medal")), 3: escape(_("bronze medal"))}
        # Plain escaped text, formatted with an integer below (Markup's own `%` escapes each argument again).
        self.up, self.down = str(escape(_("up %(n)s since last week"))), str(escape(_("down %(n)s since last week")))
        same = escape(_("same rank as last week"))
        self.same = Markup(f'<span class="muted">=<span class="visually-hidden"> {same}</span></span>')  # noqa: S704

    def badge(self, rank: int, score: int) -> Markup:
        """A rank, tied ranks alike (1, 2, 2, 4). The first three wear a medal, named for screen readers, once
        they have points: on a campaign's first day every team is tied first with none."""
        if rank <= 3 and score > 0:
            return Markup(f'<span class="rank medal-{rank:d}">{rank:d}<span class="visually-hidden"> '  # noqa: S704
                          f'({self.medals[rank]})</span></span>')
        return Markup(f'<span class="rank">{rank:d}</span>')  # noqa: S704

    def change(self, change: int | None) -> Markup:
        """Places gained (▲) or lost (▼) since the week before."""
        if change is None:
            return Markup('<span class="muted">–</span>')
        if change > 0:
            return Markup(f'<span class="rank-up">▲ {change:d}<span class="visually-hidden"> '  # noqa: S704
                          f'{self.up % {"n": change}}</span></span>')
        if change < 0:
            return Markup(f'<span class="rank-down">▼ {-change:d}<span class="visually-hidden"> '  # noqa: S704
                          f'{self.down % {"n": -change}}</span></span>')
        return self.same


@dataclass(frozen=True, slots=True)
class Line:
    """A leaderboard row with what it shows already written: the template only places it (a call from a
    template into a macro, a filter or a method costs more than writing the row)."""

    standing: Standing
    badge: Markup
    change: Markup
    score: str
    per_member: str
    bar: int  # the score bar's value, never below zero
    gap_before: bool  # places left out above it (the viewer's own team, below the top of the board)


def lines(standings: list[Standing]) -> list[Line]:
    """The rows of a leaderboard page, in the standings' order (the board's top, a ward's teams, or all)."""
    fmt, marks = NumberFormat(), RankMarks()
    listed: list[Line] = []
    previous = 0
    for s in standings:
        listed.append(Line(s, marks.badge(s.rank, s.score), marks.change(s.rank_change), fmt.number(s.score),
                           "–" if s.per_member is None else fmt.number(s.per_member, 1), max(s.score, 0),
                           bool(listed) and s.position > previous + 1))
        previous = s.position
    return listed


def rows(listed: list[Line], team_link: str, top: int, own_team: int | None) -> Markup:
    """The leaderboard's rows as markup (1,854 on "show all", where placing eleven values a row from the template
    cost a third of the page): team and unit names escaped, every other value an integer or written above."""
    link = escape(team_link)
    out = []
    for line in listed:
        s = line.standing
        if line.gap_before:
            out.append('<tr class="gap"><td colspan="4" class="muted">…</td></tr>')
        own = ' class="is-own"' if s.team_id == own_team else ""
        out.append(f'<tr{own}><td class="num">{line.badge}</td><th scope="row"><a class="sort-link team-line" '
                   f'href="{link}{s.team_id:d}"><span class="team-name">{escape(s.team)}</span> '
                   f'<small class="muted">{escape(s.ward)}</small></a> <progress class="score-bar" '
                   f'value="{line.bar:d}" max="{top:d}" aria-hidden="true"></progress></th>'
                   f'<td class="num"><strong>{line.score}</strong><br><small>{line.change}</small></td>'
                   f'<td class="num wide-only">{line.per_member}</td></tr>')
    return Markup("\n".join(out))  # noqa: S704
