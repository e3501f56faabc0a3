"""The checking side's commands: analyze (no database), ingest, and the demo."""

import json
import os
import re
import select
import subprocess
import sys
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from editorial import services as editorial_services
from editorial.models import AnalysisStatus, ApiKey, Article, Desk, Membership, Newsroom, Role
from factcheck.analysis.pipeline import analyze
from factcheck.management.commands.analyze import resolve_format
from factcheck.models import Claim, ExcludedBlock
from tests.factories import DeskFactory

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "factcheck" / "fixtures" / "sample_article.txt"

ARTICLE = (
    "Council approves $4.2 million budget\n\n"
    "The council approved a budget of $4.2 million on Tuesday, up 12 percent from 2023.\n\n"
    "Critics say the money will not be enough. Mayor Jane Holt said the city would hire 40 teachers."
)
HTML_ARTICLE = (
    "<article><h1>Council approves budget</h1>"
    "<p>The council approved a budget of $4.2 million on Tuesday, up 12 percent from 2023.</p>"
    "<p>Mayor Jane Holt said the city would hire 40 teachers by September.</p></article>"
)
#: Settings and environment under which the command must not reach any database.
NO_DATABASE_ENV = {
    "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "SECRET_KEY": "",
    "SECRET_KEY_FILE": "/nonexistent/secret_key",
    "PYTHONIOENCODING": "utf-8",
    "PYTHONUNBUFFERED": "",  # so that only the command's own flushing makes lines appear as they are done
}


def call(*args, stdin=None) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    options = {"stdin": stdin} if stdin is not None else {}
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def manage(*args, input: bytes | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, **NO_DATABASE_ENV}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        input=input,
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )


# --- analyze: one article ----------------------------------------------------------------------


def test_analyze_file_prints_one_object_with_the_file_name(tmp_path):
    path = tmp_path / "budget.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    out, _ = call("analyze", str(path))
    lines = json_lines(out)
    assert len(lines) == 1
    expected = analyze(ARTICLE, fmt="text").as_dict()
    assert lines[0] == {"id": "budget.txt", **expected}
    assert lines[0]["claims"], "the article has claims"
    assert any(item["text"].startswith("Council approves") for item in lines[0]["excluded"])


def test_analyze_stdin_has_a_null_id_and_keeps_non_ascii_as_is():
    text = ARTICLE + "\n\nThe café on Rue Saint-Honoré said 30 percent of its customers are tourists."
    out, _ = call("analyze", "-", stdin=BytesIO(text.encode("utf-8")))
    (result,) = json_lines(out)
    assert result["id"] is None
    assert result == {"id": None, **analyze(text, fmt="text").as_dict()}
    assert "café" in out  # ensure_ascii=False


def test_analyze_detects_html_by_suffix_and_by_leading_tag(tmp_path):
    as_html = analyze(HTML_ARTICLE, fmt="html").as_dict()
    as_text = analyze(HTML_ARTICLE, fmt="text").as_dict()
    assert as_html != as_text
    page = tmp_path / "page.html"
    page.write_text(HTML_ARTICLE, encoding="utf-8")
    out, _ = call("analyze", str(page))
    assert json_lines(out)[0] == {"id": "page.html", **as_html}
    untitled = tmp_path / "page.txt"
    untitled.write_text("\n  " + HTML_ARTICLE, encoding="utf-8")
    out, _ = call("analyze", str(untitled))
    assert json_lines(out)[0]["claims"] == as_html["claims"]
    out, _ = call("analyze", str(page), "--format", "text")
    assert json_lines(out)[0]["claims"] == as_text["claims"]


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("<p>Hi</p>", None, "html"),
        ("  <!DOCTYPE html><html></html>", None, "html"),
        ("<!-- cms --><div>x</div>", None, "html"),
        ("The <b>council</b> met.", None, "text"),
        ("< 5 percent of voters", None, "text"),
        ("plain", "story.HTM", "html"),
        ("plain", "story.txt", "text"),
    ],
)
def test_resolve_format_auto(text, name, expected):
    assert resolve_format("auto", text, name) == expected
    assert resolve_format("text", text, name) == "text"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"   \n\n", "empty"), (b"caf\xe9 au lait", "not valid UTF-8")],
)
def test_analyze_refuses_bad_files_with_a_message(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call("analyze", str(path))


def test_analyze_missing_file_and_missing_argument(tmp_path):
    with pytest.raises(CommandError, match="cannot read it"):
        call("analyze", str(tmp_path / "nope.txt"))
    with pytest.raises(CommandError, match="Give a file"):
        call("analyze")


def test_analyze_refuses_an_article_over_the_limit(tmp_path, settings):
    settings.FACTDESK_MAX_ARTICLE_CHARS = 50
    path = tmp_path / "long.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    with pytest.raises(CommandError, match="the limit is 50 characters"):
        call("analyze", str(path))


# --- analyze --jsonl -----------------------------------------------------------------------------


def test_jsonl_writes_one_line_per_input_line_in_order_including_bad_lines(settings):
    settings.FACTDESK_MAX_ARTICLE_CHARS = 2000
    good = [
        {"id": "a", "text": ARTICLE},
        {"id": 7, "text": HTML_ARTICLE},
        {"id": "c", "text": HTML_ARTICLE, "format": "text"},
    ]
    raw_lines = [
        json.dumps(good[0]).encode(),
        b"",  # blank: skipped
        b"not json at all",
        json.dumps(good[1]).encode(),
        b'["an", "array"]',
        b'{"id": "no-text"}',
        b'{"id": "empty", "text": "   "}',
        json.dumps({"id": "huge", "text": "x" * 2001}).encode(),
        b'{"id": "num", "text": 12}',
        b'{"id": "fmt", "text": "Hello.", "format": "pdf"}',
        b"   ",
        b'{"id": "latin1", "text": "caf\xe9"}',
        json.dumps(good[2], ensure_ascii=False).encode(),
    ]
    stdin = BytesIO(b"\n".join(raw_lines) + b"\n")
    out = StringIO()
    with pytest.raises(CommandError, match="8 lines could not be analysed"):
        call_command("analyze", "--jsonl", stdout=out, stderr=StringIO(), stdin=stdin)
    results = json_lines(out.getvalue())
    assert len(results) == len([line for line in raw_lines if line.strip()])

    assert results[0] == {"id": "a", **analyze(ARTICLE, fmt="text").as_dict()}
    assert results[2] == {"id": 7, **analyze(HTML_ARTICLE, fmt="html").as_dict()}  # auto: starts with a tag
    assert results[10] == {"id": "c", **analyze(HTML_ARTICLE, fmt="text").as_dict()}
    errors = {index: result for index, result in enumerate(results) if "error" in result}
    assert sorted(errors) == [1, 3, 4, 5, 6, 7, 8, 9]
    assert [errors[i]["line"] for i in sorted(errors)] == [3, 5, 6, 7, 8, 9, 10, 12]
    assert [errors[i]["id"] for i in sorted(errors)] == [
        None,
        None,
        "no-text",
        "empty",
        "huge",
        "num",
        "fmt",
        None,
    ]
    assert "not valid JSON" in errors[1]["error"]
    assert "JSON object" in errors[3]["error"]
    assert '"text"' in errors[4]["error"]
    assert "empty" in errors[5]["error"]
    assert "2,000" in errors[6]["error"]
    assert "string" in errors[7]["error"]
    assert "pdf" in errors[8]["error"]
    assert "UTF-8" in errors[9]["error"]
    for result in results:
        assert set(result) in ({"id", "claims", "excluded"}, {"id", "line", "error"})


def test_jsonl_all_good_succeeds_and_reads_a_file(tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_text(
        "\n".join(json.dumps({"id": f"n{i}", "text": ARTICLE}) for i in range(3)) + "\n\n", encoding="utf-8"
    )
    out, _ = call("analyze", "--jsonl", str(path))
    results = json_lines(out)
    assert [result["id"] for result in results] == ["n0", "n1", "n2"]
    assert all(result["claims"] for result in results)


def test_jsonl_skips_an_overlong_line_without_holding_it(settings):
    settings.FACTDESK_MAX_ARTICLE_CHARS = 10  # byte cap: 10 * 6 + 64 KiB
    overlong = b'{"id": "big", "text": "' + b"y" * 200_000 + b'"}'
    stdin = BytesIO(overlong + b"\n" + json.dumps({"id": "ok", "text": "Tax rose."}).encode() + b"\n")
    out = StringIO()
    with pytest.raises(CommandError, match="1 line could not"):
        call_command("analyze", "--jsonl", "-", stdout=out, stderr=StringIO(), stdin=stdin)
    first, second = json_lines(out.getvalue())
    assert first == {"id": None, "line": 1, "error": first["error"]}
    assert "too long" in first["error"]
    assert second["id"] == "ok" and "claims" in second


def test_analyze_runs_without_a_database_in_a_subprocess(tmp_path):
    """DATABASE_URL points at a closed port and SECRET_KEY is empty: any connection attempt would fail."""
    path = tmp_path / "budget.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    done = manage("analyze", str(path))
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout) == {"id": "budget.txt", **analyze(ARTICLE, fmt="text").as_dict()}

    lines = [json.dumps({"id": "é", "text": ARTICLE}, ensure_ascii=False), "{broken", ""]
    done = manage("analyze", "--jsonl", "-", input="\n".join(lines).encode("utf-8"))
    assert done.returncode == 1
    results = json_lines(done.stdout.decode("utf-8"))
    assert [result.get("id") for result in results] == ["é", None]
    assert results[1]["line"] == 2 and "not valid JSON" in results[1]["error"]
    assert b"Traceback" not in done.stderr

    done = manage("analyze", "--jsonl", input=(lines[0] + "\n").encode("utf-8"))
    assert done.returncode == 0, done.stderr.decode()
    assert len(json_lines(done.stdout.decode("utf-8"))) == 1


def test_analyze_jsonl_streams_each_line_before_the_next_is_read():
    env = {**os.environ, **NO_DATABASE_ENV}
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "analyze", "--jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    try:
        for number in range(3):
            process.stdin.write(json.dumps({"id": number, "text": ARTICLE}).encode() + b"\n")
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], 30)
            assert ready, f"no output for line {number + 1} while stdin is still open"
            assert json.loads(process.stdout.readline())["id"] == number
        process.stdin.close()
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


# --- ingest --------------------------------------------------------------------------------------


@pytest.fixture
def articles_dir(tmp_path):
    (tmp_path / "budget.txt").write_text("\n\n  Council approves budget  \n\n" + ARTICLE, encoding="utf-8")
    (tmp_path / "schools.html").write_text(
        "<html><head><title>Schools &amp; teachers</title></head><body>" + HTML_ARTICLE + "</body></html>",
        encoding="utf-8",
    )
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes(b"Caf\xe9 prices rose 10 percent.")
    return tmp_path


def test_ingest_submits_good_files_and_reports_bad_ones(newsroom, articles_dir):
    DeskFactory(newsroom=newsroom, slug="city")
    names = ["budget.txt", "empty.txt", "schools.html", "missing.txt", "latin1.txt"]
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="3 of 5 files could not be submitted"):
        call_command(
            "ingest", *[str(articles_dir / name) for name in names], "--newsroom", "ledger", "--desk", "city",
            "--external-id-prefix", "cms-", stdout=out, stderr=err,
        )  # fmt: skip
    assert "2 submitted, 3 failed" in out.getvalue()
    errors = err.getvalue()
    assert re.search(r"empty\.txt: empty", errors)
    assert re.search(r"missing\.txt: no such file", errors)
    assert re.search(r"latin1\.txt: not valid UTF-8", errors)
    assert "budget.txt" not in errors

    articles = {article.external_id: article for article in Article.objects.filter(newsroom=newsroom)}
    assert sorted(articles) == ["cms-budget", "cms-schools"]
    assert articles["cms-budget"].title == "Council approves budget"
    assert articles["cms-budget"].body_format == "text"
    assert articles["cms-schools"].title == "Schools & teachers"
    assert articles["cms-schools"].body_format == "html"
    assert all(article.desk.slug == "city" for article in articles.values())
    assert all(article.analysis_status == AnalysisStatus.RECEIVED for article in articles.values())


def test_ingest_wait_analyses_inline_and_resubmitting_updates(newsroom, articles_dir):
    path = str(articles_dir / "budget.txt")
    out, _ = call("ingest", path, "--newsroom", "ledger", "--wait")
    article = Article.objects.get(newsroom=newsroom, external_id="budget")
    assert article.analysis_status == AnalysisStatus.ANALYZED
    count = Claim.objects.filter(article=article).count()
    assert count > 0
    assert f"analysed: {count} claims" in out
    assert "1 submitted, 0 failed" in out
    call("ingest", path, "--newsroom", "ledger", "--wait")
    assert Article.objects.filter(newsroom=newsroom).count() == 1
    assert Claim.objects.filter(article=article).count() == count


def test_ingest_refuses_an_article_over_the_limit(newsroom, articles_dir, settings):
    settings.FACTDESK_MAX_ARTICLE_CHARS = 60
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command(
            "ingest", str(articles_dir / "budget.txt"), "--newsroom", "ledger", stdout=out, stderr=err
        )
    assert "the limit is 60 characters" in err.getvalue()
    assert "0 submitted, 1 failed" in out.getvalue()
    assert not Article.objects.exists()


def test_ingest_unknown_newsroom_or_desk(newsroom, articles_dir):
    with pytest.raises(CommandError, match="no newsroom 'nowhere'"):
        call("ingest", str(articles_dir / "budget.txt"), "--newsroom", "nowhere")
    with pytest.raises(CommandError, match="no desk 'sport'"):
        call("ingest", str(articles_dir / "budget.txt"), "--newsroom", "ledger", "--desk", "sport")
    assert not Article.objects.exists()


# --- demo ----------------------------------------------------------------------------------------


def run_demo() -> str:
    out, _ = call("demo", "--smoke")
    return out


def test_demo_smoke_creates_the_logins_and_keys_and_prints_the_claims(db, settings):
    settings.SITE_URL = "http://127.0.0.1:8101"
    out = run_demo()
    newsroom = Newsroom.objects.get(slug="demo")
    assert newsroom.name == "Demo Gazette"
    roles = {"editor": Role.EDITOR, "checker": Role.FACT_CHECKER, "admin": Role.ADMIN}
    for username, role in roles.items():
        password = re.search(rf"^  {username} +/ (\S+) ", out, re.M).group(1)
        user = get_user_model().objects.get(username=username)
        assert user.check_password(password) and user.is_staff
        assert user.is_superuser == (username == "admin")  # the editor sees what an editor sees
        membership = Membership.objects.get(newsroom=newsroom, user=user)
        assert membership.role == role and membership.desks.get().slug == "city"

    article = Article.objects.get(newsroom=newsroom, external_id="demo-sample")
    assert article.analysis_status == AnalysisStatus.ANALYZED
    assert article.title.startswith("Brackenford Council Votes")
    assert article.url.startswith("https://")  # so that its ClaimReview can be tried
    claims = list(Claim.objects.filter(article=article).order_by("ordinal"))
    assert claims
    assert f"Claims: {len(claims)} " in out
    for number, claim in enumerate(claims, start=1):
        assert (
            f"Claim {number} [{claim.kind}, checkworthiness {claim.checkworthiness:.2f}] {claim.text}" in out
        )
    assert "flag: Unnamed experts (" in out and "anonymous_experts" not in out
    for block in ExcludedBlock.objects.filter(article=article):
        assert f"  - {block.reason}: " in out
    assert "Smoke run: the server is not started." in out

    exports = dict(item.split("=", 1) for item in re.search(r"^  export (.*)$", out, re.M).group(1).split())
    assert exports["FACTDESK"] == "http://127.0.0.1:8101" and "8000" not in out
    assert editorial_services.api_key_authenticate(raw_key=exports["KEY"]).role == Role.EDITOR
    admin_key = editorial_services.api_key_authenticate(raw_key=exports["ADMIN_KEY"])
    assert admin_key.newsroom == newsroom and admin_key.role == Role.ADMIN
    assert exports["ARTICLE"] == str(article.pk)
    best = max(claims, key=lambda claim: claim.checkworthiness)
    assert Claim.objects.get(pk=exports["CLAIM"]).checkworthiness == best.checkworthiness
    assert f"http://127.0.0.1:8101/api/v1/articles/{article.pk}" in out
    assert "http://127.0.0.1:8101/admin/" in out


def test_demo_twice_reuses_rows_and_issues_new_passwords_and_keys(db):
    first = run_demo()
    claims = Claim.objects.count()
    second = run_demo()
    assert Newsroom.objects.filter(slug="demo").count() == 1
    assert Desk.objects.filter(newsroom__slug="demo").count() == 1
    assert get_user_model().objects.filter(username="editor").count() == 1
    assert Membership.objects.count() == 3
    assert Article.objects.count() == 1
    assert Claim.objects.count() == claims
    assert ApiKey.objects.filter(newsroom__slug="demo", revoked_at=None).count() == 2

    first_password = re.search(r"^  editor +/ (\S+)", first, re.M).group(1)
    second_password = re.search(r"^  editor +/ (\S+)", second, re.M).group(1)
    assert first_password != second_password
    user = get_user_model().objects.get(username="editor")
    assert user.check_password(second_password) and not user.check_password(first_password)
    first_key = re.search(r" KEY=(\S+)", first).group(1)
    second_key = re.search(r" KEY=(\S+)", second).group(1)
    assert editorial_services.api_key_authenticate(raw_key=first_key) is None
    assert editorial_services.api_key_authenticate(raw_key=second_key) is not None
    assert "Revoked 2 older demo API keys." in second


def test_sample_article_has_the_parts_the_demo_shows():
    text = SAMPLE.read_text(encoding="utf-8")
    assert 500 <= len(text.split()) <= 750
    needles = [
        "Credit: ", "Read more: ", "Analysts say", "Experts warn", "Some residents believe",
        "Reports suggest", "It is believed", "allegedly", "speaking on condition of anonymity",
        "Dr. Amara Okafor, an epidemiologist at the city's university hospital, said",
    ]  # fmt: skip
    for needle in needles:
        assert needle in text, needle
    reasons = {item.reason for item in analyze(text, fmt="text").excluded}
    assert len(reasons) >= 4, reasons
