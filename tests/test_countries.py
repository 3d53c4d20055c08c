"""Countries: the ISO 3166-1 codes the books accept and the names an address may give a country
(consult.core.countries), read from a data file that must match babel's CLDR."""

import json
from importlib import resources

from consult.core.countries import address_names, is_country, table


def test_the_data_file_is_what_babel_says_today():
    """consult/data/countries.json is written from babel; a babel upgrade that changes a name
    fails here (refresh: python -m consult.core.countries > consult/data/countries.json)."""
    shipped = json.loads(resources.files("consult").joinpath("data/countries.json").read_text(encoding="utf-8"))
    assert shipped == table()


def test_the_249_assigned_codes_are_countries_and_cldr_groupings_are_not():
    shipped = json.loads(resources.files("consult").joinpath("data/countries.json").read_text(encoding="utf-8"))
    assert len(shipped) == 249
    assert all(is_country(c) for c in ("GB", "DE", "US", "IN", "IE", "FR", "NL", "CH", "IM"))
    for not_a_country in ("EU", "UN", "ZZ", "EZ", "XK", "QO", "UK", "gb", "GBR", ""):
        assert not is_country(not_a_country), not_a_country


def test_an_address_may_end_in_the_countrys_name_in_its_own_or_an_eu_language():
    assert {"germany", "deutschland", "allemagne", "de"} <= address_names("DE")
    assert {"india", "भारत"} <= address_names("IN")
    assert {"united kingdom", "uk", "england", "scotland"} <= address_names("GB")
    assert {"united states", "usa", "u.s.a."} <= address_names("US")


def test_a_client_in_the_eu_as_if_it_were_a_country_is_refused(make_books, run_cli):
    """`country: EU` named CLDR's European Union; no invoice can be addressed to it."""
    root = make_books({"clients/acme/client.yaml": "name: Acme\ncountry: EU\ncurrency: EUR\n"})
    code, out, err = run_cli("check", books=root)
    assert code == 1
    assert "clients/acme/client.yaml:2:10: country: 'EU' is not an ISO 3166 two-letter country code" in out + err
