"""The books commands as a user sees them: init, check, client and engagement listings."""

import json
import os
import subprocess
import sys

from tests.conftest import REPO


def test_init_makes_books_that_check_clean(tmp_path, run_cli):
    code, out, _ = run_cli("init", str(tmp_path / "new"), "--name", "Ada Lovelace")
    assert code == 0 and "wrote" in out
    assert "name: Ada Lovelace" in (tmp_path / "new/practice.yaml").read_text()
    code, out, _ = run_cli("check", books=tmp_path / "new")
    assert code == 0
    assert out.splitlines()[-1].startswith("ok: 0 errors, 8 warnings")
    # the warnings are the example values init wrote, each to be replaced before anything is issued
    assert all("`consult init` wrote" in line for line in out.splitlines()[:-1])


def test_init_never_overwrites_books(tmp_path, run_cli):
    run_cli("init", str(tmp_path / "b"))
    (tmp_path / "b/practice.yaml").write_text("name: Mine\n")
    code, _, err = run_cli("init", str(tmp_path / "b"))
    assert code == 2 and "never overwrites books" in err
    assert (tmp_path / "b/practice.yaml").read_text() == "name: Mine\n"


def test_sample_books_check_clean(run_cli):
    code, out, _ = run_cli("check", books=REPO)
    assert code == 0, out
    assert out.splitlines()[-1].startswith("ok: 0 errors")


def test_client_list_table(run_cli):
    code, out, _ = run_cli("client", "list", books=REPO)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["id", "name", "kind", "country", "currency", "tax", "engagements"]
    ids = [row.split()[0] for row in lines[2:]]
    assert ids == ["acme-analytics", "brightpath-ai", "hafen-logistik", "inkwell-press", "lotus-insights"]


def test_client_list_json_is_stable(run_cli):
    code, out, _ = run_cli("client", "list", "--format", "json", books=REPO)
    data = json.loads(out)
    assert data[2] == {"id": "hafen-logistik", "name": "Hafen Logistik GmbH", "kind": "client",
                       "country": "DE", "currency": "EUR", "tax": "reverse_charge", "engagements": 1}


def test_client_show_prints_the_record_and_engagements(run_cli):
    code, out, _ = run_cli("client", "show", "lotus-insights", books=REPO)
    assert code == 0
    assert "tax                 outside_scope" in out
    assert "lotus-insights/recsys-audit" in out and "₹86,486.50" in out


def test_engagement_list_csv(run_cli):
    code, out, _ = run_cli("engagement", "list", "--format", "csv", books=REPO)
    assert out.splitlines()[1] == ("acme-analytics/churn-model,Customer churn model — build and deploy,daily,"
                                   "650.00,GBP,active,2026-09-01,2026-12-18,PO-88213,40 days")


def test_engagement_show_lists_milestones(run_cli):
    code, out, _ = run_cli("engagement", "show", "brightpath-ai/llm-evaluation", books=REPO)
    assert code == 0
    assert "Evaluation harness delivered  $18,000.00  2026-10-30" in out


def test_unknown_client_is_a_usage_error(run_cli):
    code, out, err = run_cli("client", "show", "nobody", books=REPO)
    assert code == 2
    assert err.startswith("error: no client 'nobody'")
    assert "acme-analytics" in err


def test_path_like_ids_are_refused(run_cli):
    code, _, err = run_cli("engagement", "show", "../etc/passwd", books=REPO)
    assert code == 2 and "is not CLIENT/ENGAGEMENT" in err


def test_no_books_found_says_what_to_do(tmp_path, run_cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("client", "list")
    assert code == 2 and "consult init DIR" in err


def test_books_are_found_upward_from_the_working_directory(run_cli, monkeypatch):
    monkeypatch.chdir(REPO / "clients" / "acme-analytics")
    code, out, _ = run_cli("client", "list")
    assert code == 0 and "acme-analytics" in out


def test_bad_option_value_exits_2(run_cli):
    code, _, err = run_cli("client", "list", "--format", "xml", books=REPO)
    assert code == 2 and "'xml' is not one of" in err


def test_startup_imports_neither_pandas_nor_reportlab():
    """`import consult.cli`, `consult --help` and `consult check` pay for neither."""
    code = ("import sys, consult.cli\n"
            "from consult.cli import run\n"
            "run(['--help']); run(['--books', sys.argv[1], 'check'])\n"
            "print(' '.join(m for m in ('pandas', 'reportlab') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(REPO)], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == ""


def test_invoice_create_dry_run_draws_nothing_so_imports_no_reportlab(sample_books):
    """`invoice create --dry-run` shows figures only: ReportLab (0.2 s of imports) stays out."""
    code = ("import sys\n"
            "from consult.cli import run\n"
            "run(['--books', sys.argv[1], 'invoice', 'create', 'acme-analytics', '--period', '2026-10', '--dry-run'])\n")
    code += "print(' '.join(m for m in ('pandas', 'reportlab') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code, str(sample_books)], capture_output=True, text=True,
                         env={**os.environ, "CONSULT_TODAY": "2026-11-22"})
    assert "DRAFT acme-analytics" in out.stdout, out.stderr
    assert out.stdout.splitlines()[-1] == ""
