"""Round trip: an exercise edited in the admin exports (flask library export) with
exactly the edited lines changed against exercises/."""

from __future__ import annotations

import difflib

from rehab.config import EXERCISES_DIR


def test_an_admin_edit_exports_as_exactly_the_edited_line(admin_client, loaded_library, runner, form_of, tmp_path):
    slug = sorted(loaded_library)[0]
    old_step = loaded_library[slug].steps[1]
    new_step = "Breathe out as you move, edited in the admin."
    form = form_of(admin_client.get(f"/admin/exercises/{slug}/edit"))
    form["steps"] = form["steps"].replace(old_step, new_step)
    assert admin_client.post(f"/admin/exercises/{slug}/edit", data=form.data).status_code == 302

    result = runner.invoke(args=["library", "export", str(tmp_path)])
    assert result.exit_code == 0, result.output
    originals = sorted(p.name for p in EXERCISES_DIR.glob("*.yaml"))
    assert sorted(p.name for p in tmp_path.glob("*.yaml")) == originals
    for name in originals:
        before = (EXERCISES_DIR / name).read_text(encoding="utf-8").splitlines()
        after = (tmp_path / name).read_text(encoding="utf-8").splitlines()
        changed = [line for line in difflib.unified_diff(before, after, lineterm="", n=0)
                   if line[:1] in "+-" and not line.startswith(("+++", "---"))]
        if name != f"{slug}.yaml":
            assert changed == [], name
            continue
        removed = [line[1:] for line in changed if line.startswith("-")]
        added = [line[1:] for line in changed if line.startswith("+")]
        assert added == [f"- {new_step}"]
        assert " ".join(line.strip() for line in removed).removeprefix("- ") == old_step


def test_a_retired_exercise_exports_as_retired(admin_client, loaded_library, runner, tmp_path):
    slug = sorted(loaded_library)[-1]
    admin_client.post(f"/admin/exercises/{slug}/retire")
    assert runner.invoke(args=["library", "export", str(tmp_path)]).exit_code == 0
    before = (EXERCISES_DIR / f"{slug}.yaml").read_text(encoding="utf-8").splitlines()
    after = (tmp_path / f"{slug}.yaml").read_text(encoding="utf-8").splitlines()
    assert after == before + ["retired: true"]
