"""The close-month form with many issues: a block per issue, the ten most pressing shown, the rest folded."""
import re
from datetime import date, datetime

from coordinator.extensions import db
from coordinator.models import ProgressUpdate


def test_twelve_issues_ten_shown_the_rest_behind_show_all(world, as_user):
    for i in range(12):
        action = world.action(f"2.1.{i + 1}", f"Aksi {i + 1}", world.dinsos, date(2026, 1, 1), date(2026, 12, 31))
        db.session.add(ProgressUpdate(action=action, agency=world.dinsos, author=world.focal, period=date(2026, 10, 1),
                                      percent_complete=10 + i, achievements="x", obstacles=f"Kendala nomor {i + 1}",
                                      created_at=datetime(2026, 10, 20)))
    db.session.commit()
    client = as_user("koordinator@example.org")
    html = client.get("/reports/2026-10/close").get_data(as_text=True)
    shown, folded = html.split('id="more-candidates"')
    assert shown.count('class="decision-choice"') == 10 and folded.count('class="decision-choice"') == 2
    assert "Tampilkan semua (2 lagi)" in folded and "dilaporkan oleh Dinsos" in shown
    assert len(re.findall(r'<input type="checkbox" name="decisions" value="\d+" checked>', shown)) == 5
    assert "<details id=\"more-candidates\">" in html  # folded while none of its items is chosen
    # A choice among the folded ones keeps the fold open when the form comes back with an error.
    folded_id = re.findall(r'value="(\d+)"', folded)[0]
    chosen = re.findall(r'value="(\d+)"', shown)[:5] + [folded_id]
    page = client.post("/reports/2026-10/close", data={"decisions": chosen}).get_data(as_text=True)
    assert "paling banyak lima" in page and "<details id=\"more-candidates\" open>" in page
