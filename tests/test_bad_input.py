"""Broken books: `consult check` exits 1, names file and line, never shows a traceback.

Each case is one broken input a user could plausibly write; the expected text is what they
must read to fix it.
"""

import pytest

GOOD_TS = "- {date: 2026-01-05, engagement: build, hours: 7.5}\n"

CASES = {
    "malformed yaml": ({"clients/acme/client.yaml": "name: Acme\naddress: [unclosed\n"},
                       "clients/acme/client.yaml:3:1: not valid YAML"),
    "bad indentation": ({"practice.yaml": "name: X\n  country: GB\n"}, "practice.yaml:2:10: not valid YAML"),
    "wrong type: list for rate": ({"clients/acme/engagements/build.yaml": "title: x\nbilling: daily\nrate: [650]\n"},
                                  "build.yaml:3:7: rate: expected a single value, got a list"),
    "wrong type: text for rate": ({"clients/acme/engagements/build.yaml": "title: x\nbilling: daily\nrate: lots\n"},
                                  "build.yaml:3:7: rate: 'lots' is not a number"),
    "unknown field": ({"clients/acme/engagements/build.yaml": "title: x\nbilling: daily\nrate: 650\nbiling: daily\n"},
                      "build.yaml:4:1: biling: unknown field — did you mean 'billing'?"),
    "bad date": ({"clients/acme/timesheets/a.yaml": "- {date: 05/01/2026, engagement: build, hours: 1}\n"},
                 "a.yaml:1:10: [0].date: '05/01/2026' is not a date — write YYYY-MM-DD"),
    "impossible date": ({"clients/acme/timesheets/a.yaml": "- {date: 2026-02-30, engagement: build, hours: 1}\n"},
                        "'2026-02-30' is not a real date"),
    "bad currency": ({"clients/acme/client.yaml": "name: A\ncountry: GB\ncurrency: POUNDS\n"},
                     "client.yaml:3:11: currency: 'POUNDS' is not an ISO 4217 currency code"),
    "negative rate": ({"clients/acme/engagements/build.yaml": "title: x\nbilling: daily\nrate: -650\n"},
                      "build.yaml:3:7: rate: must be more than zero, got -650"),
    "zero rate": ({"clients/acme/engagements/build.yaml": "title: x\nbilling: daily\nrate: 0\n"},
                  "rate: must be more than zero"),
    "unknown engagement in timesheet": ({"clients/acme/timesheets/a.yaml": "- {date: 2026-01-05, engagement: biuld, hours: 1}\n"},
                                        "a.yaml:1:34: [0].engagement: no engagement 'biuld' for client acme (known: build)"),
    "duplicate engagement ids": ({"clients/acme/engagements/build.yml": "title: y\nbilling: daily\nrate: 1\n"},
                                 "build.yml: duplicate engagement id 'build'"),
    "duplicate key": ({"clients/acme/client.yaml": "name: A\nname: B\ncountry: GB\n"},
                      "client.yaml:2:1: name: duplicate key (first given on line 1)"),
    "bad client id": ({"clients/Acme Ltd/client.yaml": "name: A\ncountry: GB\n"},
                      "clients/Acme Ltd: client folder name: 'Acme Ltd' is not a valid id"),
    "dotdot-like id": ({"clients/-x/client.yaml": "name: A\ncountry: GB\n"}, "'-x' is not a valid id"),
    "invalid client vat number": ({"clients/acme/client.yaml": "name: A\ncountry: GB\nvat_number: GB123456789\n"},
                                  "client.yaml:3:13: vat_number: 'GB123456789' is not a valid VAT number"),
    "invalid practice vat number": ({"practice.yaml": "name: X\naddress: a\ncountry: GB\nvat_number: GB999999999\n"},
                                    "practice.yaml:4:13: vat_number: 'GB999999999' is not a valid VAT number"),
    "invalid iban": ({"practice.yaml": "name: X\naddress: a\ncountry: GB\nbank: {iban: GB00WEST12345698765432}\n"},
                     "practice.yaml:4:14: bank.iban: 'GB00WEST12345698765432' is not a valid IBAN"),
    "missing required field": ({"clients/acme/engagements/build.yaml": "billing: daily\nrate: 650\n"},
                               "build.yaml:1:1: title: missing"),
    "missing rate": ({"clients/acme/engagements/build.yaml": "title: x\nbilling: hourly\n"},
                     "build.yaml:1:1: rate: missing — the rate per day (daily) or per hour (hourly)"),
    "python tag": ({"clients/acme/client.yaml": "name: !!python/object/apply:os.system ['ls']\ncountry: GB\n"},
                   "client.yaml:1:7: the YAML tag !!python/object/apply:os.system is not allowed"),
    "empty file": ({"clients/acme/client.yaml": ""}, "clients/acme/client.yaml: is empty"),
    "binary file": ({"clients/acme/client.yaml": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"},
                    "clients/acme/client.yaml: is a binary file"),
    "not utf-8": ({"clients/acme/client.yaml": "name: Caf\xe9\ncountry: GB\n".encode("latin-1")},
                  "clients/acme/client.yaml:1: is not UTF-8 text (byte 0xe9)"),
    "negative hours": ({"clients/acme/timesheets/a.yaml": "- {date: 2026-01-05, engagement: build, hours: -2}\n"},
                       "[0].hours: '-2' is negative"),
    "minutes over 60": ({"clients/acme/timesheets/a.yaml": "- {date: 2026-01-05, engagement: build, duration: 1h75m}\n"},
                        "'1h75m': minutes must be under 60 — e.g. 1h30m, 90m or 1.5h"),
    "two duration forms": ({"clients/acme/timesheets/a.yaml": "- {date: 2026-01-05, engagement: build, hours: 1, days: 1}\n"},
                           "give exactly one of hours, duration, days or start+end (found hours, days)"),
    "end before start": ({"clients/acme/timesheets/a.yaml": "- {date: 2026-01-05, engagement: build, start: '17:00', end: '09:00'}\n"},
                         "end 09:00 is not after start 17:00"),
    "csv ragged row": ({"clients/acme/timesheets/a.csv": "date,engagement,hours,note\n2026-01-05,build,1,a,b\n"},
                       "a.csv:2: has 5 cells but the header has 4"),
    "csv unknown column": ({"clients/acme/timesheets/a.csv": "date,engagment,hours\n2026-01-05,build,1\n"},
                           "a.csv:1:2: engagment: unknown column — did you mean 'engagement'?"),
    "a folder where a file belongs": ({"clients/acme/payments.yaml/x": "oops"},
                                      "clients/acme/payments.yaml: is a folder, but a file was expected"),
    "top level is a list": ({"clients/acme/client.yaml": "- name: A\n"},
                            "client.yaml:1: expected a mapping of fields"),
    "alias bomb": ({"clients/acme/client.yaml": "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"},
                   "client.yaml:1:1: aliases expand to more than 2,000,000 values"),
    "reverse charge for a UK client": ({"clients/acme/client.yaml": "name: A\ncountry: GB\nvat_number: GB434031494\ntax: reverse_charge\n"},
                                       "reverse_charge is for EU business customers"),
    "end before start of engagement": ({"clients/acme/engagements/build.yaml": "title: x\nbilling: daily\nrate: 1\nstart: 2026-05-01\nend: 2026-04-01\n"},
                                       "build.yaml:5:6: end: 2026-04-01 is before start 2026-05-01"),
    "rate with too many decimals": ({"clients/acme/engagements/build.yaml": "title: x\nbilling: hourly\nrate: 86.666\n"},
                                    "rate: 86.666 has more decimal places than GBP allows (2)"),
    "engagement currency differs from client": ({"clients/acme/engagements/build.yaml": "title: x\nbilling: daily\nrate: 1\ncurrency: EUR\n"},
                                                "currency: EUR differs from the client's currency GBP"),
    "UK written as UK": ({"clients/acme/client.yaml": "name: A\ncountry: UK\n"}, "(the UK is GB)"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_books_exit_1_with_file_and_line(name, make_books, run_cli):
    files, expected = CASES[name]
    root = make_books(files)
    code, out, err = run_cli("check", books=root)
    assert code == 1, out + err
    assert expected in out, out
    assert "Traceback" not in out + err


def test_there_are_at_least_25_distinct_cases():
    assert len(CASES) >= 25


def test_a_command_on_broken_books_refuses_with_the_same_messages(make_books, run_cli):
    root = make_books({"clients/acme/engagements/build.yaml": "title: x\nbilling: daily\nrate: lots\n"})
    code, out, err = run_cli("client", "list", books=root)
    assert code == 1 and out == ""
    assert err.splitlines()[1] == ("  clients/acme/engagements/build.yaml:3:7: rate: 'lots' is not a number"
                                  " — the rate per day (daily) or per hour (hourly), e.g. rate: 650")
