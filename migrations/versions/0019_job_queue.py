"""jobs: procrastinate's queue (PostgreSQL) and job_runs (both databases)

The queue's tables, types, functions and triggers are procrastinate's own schema, read from
the installed package (`procrastinate.schema.SchemaManager.get_schema()`) so they match the
library exactly. pyproject.toml pins procrastinate to one minor version: a later upgrade of the
library comes with a new revision that applies the SQL migration files the package ships
between the two versions (procrastinate's `sql/migrations/`), never by editing this one.
On SQLite (development, the SQLite test pass) procrastinate cannot run and the queue works
inline (JOB_QUEUE), so only `job_runs` is created there.

Revision ID: 0019
Revises: 0018
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_name', sa.String(length=128), nullable=False),
        sa.Column('job_id', sa.BigInteger(), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('succeeded', sa.Boolean(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    )
    op.create_index(op.f('ix_job_runs_job_id'), 'job_runs', ['job_id'])
    op.create_index('ix_job_runs_task_name_succeeded_finished_at', 'job_runs',
                    ['task_name', 'succeeded', 'finished_at'])
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        from procrastinate.schema import SchemaManager

        # One script of many statements; '%' doubled as procrastinate's own apply_schema() does,
        # since the driver reads placeholders in it.
        bind.exec_driver_sql(SchemaManager.get_schema().replace('%', '%%'))


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        # procrastinate ships no removal script: drop every object of its schema by name.
        for (name,) in bind.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename LIKE 'procrastinate%%'").all():
            bind.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}" CASCADE')
        for (signature,) in bind.exec_driver_sql(
                "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%%'").all():
            bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature} CASCADE")
        for (name,) in bind.exec_driver_sql(
                "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%%' AND t.typtype IN ('e', 'c')").all():
            bind.exec_driver_sql(f'DROP TYPE IF EXISTS "{name}" CASCADE')
    op.drop_index('ix_job_runs_task_name_succeeded_finished_at', table_name='job_runs')
    op.drop_index(op.f('ix_job_runs_job_id'), table_name='job_runs')
    op.drop_table('job_runs')
