"""The CI workflow (.github/workflows/site.yml) read as GitHub reads it: when it runs and what
each run does. It cannot run here, so its shape is what is tested."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def workflow() -> dict:
    data = yaml.safe_load((REPO / ".github/workflows/site.yml").read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def runs(job: dict) -> list[str]:
    return [" ".join(step["run"].split()) for step in job["steps"] if "run" in step]


def job_for(workflow: dict, event: str) -> dict:
    """The one job that builds the site on `event` (each job says so in its `if`)."""
    found = []
    for name, job in workflow["jobs"].items():
        if not any(command.startswith("python3 -m alagen build") for command in runs(job)):
            continue  # the tests' job, which builds no site
        condition = job.get("if", "")
        equal = re.search(r"github\.event_name == '(\w+)'", condition)
        unequal = re.search(r"github\.event_name != '(\w+)'", condition)
        if (equal and equal.group(1) == event) or (unequal and unequal.group(1) != event) or not condition:
            found.append(job)
    assert len(found) == 1, f"{len(found)} jobs run on {event}"
    return found[0]


def test_it_runs_on_pull_requests_pushes_to_main_and_daily(workflow):
    on = workflow["on"]
    assert "pull_request" in on
    assert on["push"]["branches"] == ["main"]
    (schedule,) = on["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month, weekday) == ("*", "*", "*")  # every day
    assert minute.isdigit() and hour.isdigit()
    # After midnight in Chicago in both summer (UTC-5) and winter (UTC-6): the day has turned.
    assert 6 <= int(hour) <= 10


def test_a_pull_request_is_built_checked_and_its_site_uploaded(workflow):
    job = job_for(workflow, "pull_request")
    commands = runs(job)
    install = next(i for i, c in enumerate(commands) if "pip install" in c)
    build = next(i for i, c in enumerate(commands) if c.startswith("python3 -m alagen build"))
    check = commands.index("python3 -m alagen check")
    assert install < build < check
    uses = [step.get("uses", "") for step in job["steps"]]
    assert any(u.startswith("actions/checkout@") for u in uses)
    python = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "3.11"
    upload = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"].rstrip("/") == "build"
    assert job["steps"].index(upload) > job["steps"].index(next(s for s in job["steps"] if s.get("run", "").startswith("python3 -m alagen check")))
    assert not any("netlify" in c for c in commands)  # a pull request never publishes


@pytest.mark.parametrize("event", ["push", "schedule"])
def test_main_and_the_daily_run_build_as_of_today_and_publish(workflow, event):
    job = job_for(workflow, event)
    commands = runs(job)
    build = next(c for c in commands if c.startswith("python3 -m alagen build"))
    assert "--now" not in build  # today's date: closed jobs and past events drop off
    publish = next(i for i, c in enumerate(commands) if "netlify-cli" in c)
    assert commands.index("python3 -m alagen check") < publish
    assert "deploy --prod --no-build --dir build" in commands[publish]  # the folder that was checked


def cached_paths() -> list[str]:
    """What a CI run keeps for the next: the build cache's record and parts, resized photos, build/."""
    from pathlib import Path

    from alagen import filestats, state

    record = filestats.state_file(Path("build"))
    return [record.as_posix(), state.parts_folder(record).as_posix(), f"{filestats.CACHE_FOLDER}/images", "build"]


CACHED = cached_paths()


@pytest.mark.parametrize("event", ["pull_request", "push"])
def test_the_build_cache_and_the_last_build_are_kept_between_runs(workflow, event):
    job = job_for(workflow, event)
    cache = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/cache@"))
    # Where alagen keeps them (filestats.state_file, state.parts_folder, render/images.py), beside build/.
    assert cache["with"]["path"].split() == CACHED
    assert cache["with"]["key"].endswith("-${{ github.run_id }}")  # a new key each run: keys never change
    assert cache["with"]["key"].startswith(cache["with"]["restore-keys"])  # the newest earlier one
    build = next(s for s in job["steps"] if s.get("run", "").startswith("python3 -m alagen build"))
    assert job["steps"].index(cache) < job["steps"].index(build)


def test_secrets_reach_only_the_publishing_step(workflow):
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            text = yaml.safe_dump(step)
            if "secrets." in text:
                assert "netlify-cli" in step.get("run", ""), step.get("name")
    assert workflow["permissions"] == {"contents": "read"}
