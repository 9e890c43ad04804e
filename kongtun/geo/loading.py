"""Fill the area tables from the pinned geothai package (DOPA codes), never by hand."""

from __future__ import annotations

from typing import Any

import geothai


def load_areas(province_model: Any, amphoe_model: Any, tambon_model: Any) -> int:
    """Insert every area not yet present; return how many rows were added. Safe to rerun."""
    have_p = set(province_model.objects.values_list("code", flat=True))
    have_a = set(amphoe_model.objects.values_list("code", flat=True))
    have_t = set(tambon_model.objects.values_list("code", flat=True))
    provinces, amphoes, tambons = [], [], []
    for p in geothai.provinces():
        if p.code not in have_p:
            provinces.append(province_model(code=p.code, name_th=p.name_th, name_en=p.name_en))
        for a in geothai.districts(p.code):
            if a.code not in have_a:
                amphoes.append(
                    amphoe_model(
                        code=a.code, name_th=a.name_th, name_en=a.name_en, province_id=p.code
                    )
                )
            for t in geothai.subdistricts(a.code):
                if t.code not in have_t:
                    tambons.append(
                        tambon_model(
                            code=t.code,
                            name_th=t.name_th,
                            name_en=t.name_en,
                            amphoe_id=a.code,
                            postal_code=(t.postal_codes or ("",))[0],
                        )
                    )
    province_model.objects.bulk_create(provinces, batch_size=500)
    amphoe_model.objects.bulk_create(amphoes, batch_size=500)
    tambon_model.objects.bulk_create(tambons, batch_size=500)
    return len(provinces) + len(amphoes) + len(tambons)
