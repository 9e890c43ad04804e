"""Opening balances from Excel: a fund moving from paper brings, in one workbook, each member's
paid-through date, its members' past payments and its balances by source; they are imported all
or nothing and posted as one opening entry, and a reconciliation shows the sheet next to Kongtun.

The package: `reading` streams the workbook's sheets safely, `cells` names the sheets and columns
and reads one cell, `sheets` reads the three sheets, `checking` applies the fund's rules,
`services` previews and imports, `selectors` reconciles, `template` builds the workbook.
"""

from kongtun.contributions.opening.selectors import Reconciliation, opening_reconciliation
from kongtun.contributions.opening.services import (
    OpeningOutcome,
    OpeningPreview,
    opening_import,
    opening_preview,
)
from kongtun.contributions.opening.template import build_template_xlsx

__all__ = [
    "OpeningOutcome",
    "OpeningPreview",
    "Reconciliation",
    "build_template_xlsx",
    "opening_import",
    "opening_preview",
    "opening_reconciliation",
]
