import geothai

from kongtun.geo.models import Amphoe, Province, Tambon


def test_it_loads_every_official_area(db):
    assert Province.objects.count() == len(geothai.provinces()) == 77
    assert Amphoe.objects.filter(province_id="52").count() == 13
    assert Tambon.objects.filter(amphoe__province_id="52").count() == 100
    assert Tambon.objects.count() == sum(
        len(geothai.subdistricts(a.code))
        for p in geothai.provinces()
        for a in geothai.districts(p.code)
    )


def test_codes_nest_as_dopa_defines_them(db):
    tambon = Tambon.objects.select_related("amphoe__province").get(code="520101")
    assert (tambon.name_th, tambon.name_en) == ("เวียงเหนือ", "Wiang Nuea")
    assert tambon.amphoe.code == "5201" and tambon.amphoe.province.code == "52"
    assert tambon.postal_code == "52000"
    mismatched = [t.code for t in Tambon.objects.all() if not t.code.startswith(t.amphoe_id)]
    assert mismatched == []
