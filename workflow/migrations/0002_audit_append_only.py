"""Make the audit table append-only in PostgreSQL itself: UPDATE and DELETE raise.

TRUNCATE (a privileged, whole-table operation used by test flushes) is not blocked.
On SQLite the model and queryset refuse updates and deletes; the hash chain detects any
edit made around them.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION workflow_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'workflow audit rows are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS workflow_audit_append_only ON workflow_auditentry;
CREATE TRIGGER workflow_audit_append_only
    BEFORE UPDATE OR DELETE ON workflow_auditentry
    FOR EACH ROW EXECUTE FUNCTION workflow_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS workflow_audit_append_only ON workflow_auditentry;
DROP FUNCTION IF EXISTS workflow_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
