"""Tell PostgreSQL's planner how a claim's desk goes with its state, assignee and newsroom too.

The statistics of 0008 leave the desk out, so a desk filter was taken for independent of the newsroom
it belongs to (and of the people who work on it): for a small newsroom's desk the planner expected 10
to 20 times fewer claims than it found, and now and then chose a bitmap scan and a sort of thousands
of claims where a walk of the queue index stops after a page (bench/review_queue.py on 1,000,000
claims: up to 75 ms for the Valley Courier's "verified, one desk, mine").  The four columns have many
more combinations than the default 100 items of an MCV list hold, so this one keeps up to 300:
ANALYZE of the claims then samples 90,000 rows instead of 30,000 (2.6 to 3.7 s instead of 2.4 s
there), and in four samples no first page of the bench was sorted from more than 522 claims (with
0008's statistics, 2,414 in every sample).
Other databases are left alone.
"""

from django.db import migrations

NAME = "factcheck_claim_queue_stats"
WITH_DESK = [
    f"DROP STATISTICS IF EXISTS {NAME}",
    f"CREATE STATISTICS {NAME} (dependencies, mcv) ON status, assignee_id, newsroom_id, desk_id "
    "FROM factcheck_claim",
    f"ALTER STATISTICS {NAME} SET STATISTICS 300",
    "ANALYZE factcheck_claim",
]
WITHOUT_DESK = [  # as 0008 made them
    f"DROP STATISTICS IF EXISTS {NAME}",
    f"CREATE STATISTICS {NAME} (dependencies, mcv) ON status, assignee_id, newsroom_id FROM factcheck_claim",
    "ANALYZE factcheck_claim",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("factcheck", "0023_flagged_queue_on_flag_kinds")]
    operations = [migrations.RunPython(_run(WITH_DESK), _run(WITHOUT_DESK), elidable=False)]
