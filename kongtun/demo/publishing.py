"""The demo's published meeting summaries: the showcase fund's latest closed meetings (and
the second fund's) have a summary on their public page, as a secretary would write it.

The summaries go through kongtun.public.services like anybody's (screened, audited), in the
name of the fund's secretary or else its chair. The texts are fixed and name nobody; which
text goes with which meeting depends only on the meeting's place in the list, so every load
writes the same. A fund that already has a summary, published or withdrawn, is left alone,
so a second load adds nothing and keeps whatever was published or withdrawn since.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kongtun.funds.models import Fund, FundRole
from kongtun.funds.permissions import Role
from kongtun.funds.tenancy import fund_scope
from kongtun.public.models import MeetingSummary
from kongtun.public.services import publish_summary
from kongtun.welfare.models import Meeting

# Summaries per fund, in plan order: the showcase has the most.
SUMMARIES = (3, 2)
RECENT_DAYS = 366  # the meetings of about the last twelve months

TEXTS = (
    "ที่ประชุมรับรองรายงานการประชุมครั้งก่อน และรับทราบรายงานการรับ–จ่ายเงินประจำเดือน"
    "ที่เหรัญญิกเสนอ\n\n"
    "คณะกรรมการพิจารณาคำขอรับสวัสดิการของสมาชิกตามระเบียบกองทุน คำขอที่เอกสารครบถ้วน"
    "ได้รับอนุมัติ ส่วนคำขอที่เอกสารยังไม่ครบ ให้เลขานุการแจ้งสมาชิกส่งเอกสารเพิ่มเติม\n\n"
    "นัดประชุมครั้งต่อไปในวันเก็บเงินสมทบของเดือนหน้า",
    "ที่ประชุมรับทราบยอดเงินกองทุนและเงินสมทบที่เก็บได้ในเดือนนี้ "
    "และรับทราบผลการเยี่ยมผู้ป่วยติดเตียงและผู้สูงอายุของอาสาสมัครกองทุน\n\n"
    "คณะกรรมการพิจารณาและอนุมัติคำขอรับสวัสดิการตามระเบียบ "
    "และมอบหมายให้ผู้แทนแต่ละหมู่บ้านประชาสัมพันธ์การรับสมัครสมาชิกใหม่",
    "ที่ประชุมพิจารณาคำขอรับสวัสดิการตามระเบียบกองทุน "
    "และรับทราบแผนการจัดประชุมใหญ่สามัญประจำปีของสมาชิก\n\n"
    "ประธานขอให้กรรมการแต่ละหมู่บ้านช่วยติดตามสมาชิกที่ค้างส่งเงินสมทบ "
    "และชี้แจงสิทธิตามระเบียบให้สมาชิกทราบ",
)

_PUBLISHERS = (Role.SECRETARY, Role.CHAIR)  # the roles that may publish, in order of choice


def _publisher(fund: Fund) -> object | None:
    roles = {
        r.role: r.user
        for r in FundRole.objects.select_related("user").filter(
            fund=fund, role__in=_PUBLISHERS, is_active=True
        )
    }
    return next((roles[r] for r in _PUBLISHERS if r in roles), None)


def summaries_load(*, funds: Sequence[Fund], today: dt.date) -> int:
    """Publish the demo summaries of `funds` (showcase first); return how many were added."""
    added = 0
    for fund, count in zip(funds, SUMMARIES, strict=False):
        if fund.runs_on != Fund.RunsOn.SERVER:
            continue
        by = _publisher(fund)
        if by is None:
            continue  # its logins are not in this run
        with fund_scope(fund):
            if MeetingSummary.objects.filter(fund=fund).exists():
                continue
            meetings = Meeting.objects.filter(
                fund=fund,
                state=Meeting.State.CLOSED,
                date__gte=today - dt.timedelta(days=RECENT_DAYS),
                date__lte=today,
            ).order_by("-date", "-number")[:count]
            # Oldest first, so the newest meeting's summary is the one published last.
            for n, meeting in enumerate(reversed(list(meetings))):
                publish_summary(fund=fund, meeting=meeting, text=TEXTS[n % len(TEXTS)], by=by)
                added += 1
    return added
