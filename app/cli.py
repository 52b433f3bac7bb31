"""`apologismos`: serve the API, migrate the database, create users, seed the demo."""

import os
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn
from rich.table import Table
from sqlmodel import Session

from app.core.config import get_settings

cli = typer.Typer(
    help="Apologismos: municipal plans, reports and the quality unit's figures.",
    no_args_is_help=True,
)
db_cli = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
console = Console()


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    reload: Annotated[bool, typer.Option(help="restart on code changes (development)")] = False,
    access_log: Annotated[bool, typer.Option(help="log every request")] = True,
) -> None:
    """Serve the API with uvicorn."""
    import copy

    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    # The app's own records (logins, refused authorizations, imports) go where uvicorn's go.
    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config["loggers"]["apologismos"] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    console.print(f"Apologismos on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
        timeout_keep_alive=get_settings().keep_alive_seconds,
        log_level="info",
        log_config=log_config,
        access_log=access_log,
    )


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Bring the database schema up to date (creates the SQLite file if needed)."""
    from app.core.migrate import upgrade

    upgrade(get_settings().database_url, revision)
    console.print(f"[green]database at {revision}[/green]")


@db_cli.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()]) -> None:
    """Take the schema back to REVISION (`base` removes everything)."""
    from app.core.migrate import downgrade

    downgrade(get_settings().database_url, revision)
    console.print(f"[yellow]database at {revision}[/yellow]")


@cli.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(envvar="APOLOGISMOS_ADMIN_USERNAME")] = "admin",
    password: Annotated[
        str | None,
        typer.Option(
            envvar="APOLOGISMOS_ADMIN_PASSWORD",
            help="at least 12 characters; asked for when omitted on a terminal",
        ),
    ] = None,
    full_name: Annotated[str, typer.Option()] = "Platform administrator",
) -> None:
    """Create a platform administrator (or reset its password if it exists). Non-interactive
    with --password or APOLOGISMOS_ADMIN_PASSWORD."""
    from sqlalchemy import select
    from sqlmodel import col

    from app.auth.models import User
    from app.core.db import get_engine
    from app.core.security import hash_password, password_problems

    if password is None:
        if not os.isatty(0):
            console.print("[red]give --password or APOLOGISMOS_ADMIN_PASSWORD[/red]")
            raise typer.Exit(2)
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    username = username.strip().lower()
    problems = password_problems(password, username=username)
    if problems:
        console.print(f"[red]the password {'; '.join(problems)}[/red]")
        raise typer.Exit(2)
    with Session(get_engine()) as session:
        user = session.scalar(select(User).where(col(User.username) == username))
        if user is None:
            session.add(
                User(
                    username=username,
                    full_name=full_name,
                    is_superuser=True,
                    password_hash=hash_password(password),
                )
            )
            verb = "created"
        else:
            user.password_hash = hash_password(password)
            user.is_superuser, user.active = True, True
            user.token_epoch += 1
            user.version += 1
            verb = "updated"
        session.commit()
    console.print(f"[green]administrator {username!r} {verb}[/green]")


@cli.command("seed-demo")
def seed_demo(
    scale: Annotated[
        float,
        typer.Option(min=0.01, max=20.0, help="1 = Thessaloniki: ~100 departments, 3,000 staff"),
    ] = 1.0,
) -> None:
    """Create the demo municipality (once) and print its logins."""
    from app.core.db import get_engine
    from app.demo.seed import DEMO_LOGINS, seed_demo

    if get_settings().environment == "production":
        console.print("[red]seed-demo refuses to run in production[/red]")
        raise typer.Exit(2)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}"),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(label: str, n: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=None)
            bar.advance(tasks[label], n)

        with Session(get_engine()) as session:
            result = seed_demo(session, scale=scale, progress=progress)
            session.commit()
        # Fresh statistics, so that the query planner sees the bulk-loaded tables as they are.
        with get_engine().connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    if result.created:
        console.print(
            f"[green]demo municipality {result.municipality_id}: {result.units} org "
            f"units, {result.employees} employees, {result.items} plan items[/green]"
        )
    else:
        console.print("demo municipality already there: nothing to do")
    table = Table(title="Demo logins")
    for column in ("username", "password", "role"):
        table.add_column(column)
    for username, (password, role, where) in DEMO_LOGINS.items():
        role_text = role if isinstance(role, str) and not where else f"{role} on {where}"
        shown = (
            "(existed already: its own password)" if username in result.kept_logins else password
        )
        table.add_row(username, shown, str(role_text))
    console.print(table)


excel_cli = typer.Typer(
    help="Excel workbooks: download, upload, consolidated export.", no_args_is_help=True
)
cli.add_typer(excel_cli, name="excel")


def _as_user(session: Session, username: str):
    from sqlmodel import col, select

    from app.auth.models import User
    from app.auth.scope import load_caller

    user = session.scalar(select(User).where(col(User.username) == username.lower()))
    if user is None or not user.active:
        console.print(f"[red]no active user {username!r}[/red]")
        raise typer.Exit(2)
    return load_caller(session, user)


def _unit_by_code(session: Session, code: str, municipality: str | None):
    from sqlmodel import col, select

    from app.org.models import OrgUnit

    stmt = select(OrgUnit).where(col(OrgUnit.code) == code)
    units = list(session.scalars(stmt))
    if municipality is not None:
        roots = {
            u.municipality_id
            for u in session.scalars(
                select(OrgUnit).where(
                    col(OrgUnit.code) == municipality, col(OrgUnit.parent_id).is_(None)
                )
            )
        }
        units = [u for u in units if u.municipality_id in roots]
    if len(units) != 1:
        console.print(
            f"[red]{len(units)} org units with code {code!r}: give --municipality CODE[/red]"
        )
        raise typer.Exit(2)
    return units[0]


@excel_cli.command("workbook")
def excel_workbook(
    unit: Annotated[str, typer.Option(help="org unit code")],
    year: Annotated[int, typer.Option(help="the plan's year (the report is of the year before)")],
    output: Annotated[str, typer.Option("-o", "--output", help="file to write")] = "",
    municipality: Annotated[str | None, typer.Option(help="municipality code")] = None,
) -> None:
    """Write the pre-filled workbook of a unit (an operator's command: no user, no scope)."""
    from app.core.db import get_engine
    from app.excel.service import unit_workbook

    with Session(get_engine()) as session:
        org_unit = _unit_by_code(session, unit, municipality)
        data = unit_workbook(session, unit=org_unit, year=year)
    path = output or f"apologismos_{org_unit.code}_{year}.xlsx"
    with open(path, "wb") as f:
        f.write(data)
    console.print(f"[green]{path}[/green] ({len(data) // 1024} KB)")


@excel_cli.command("import")
def excel_import(
    path: Annotated[str, typer.Argument(help="the filled .xlsx")],
    user: Annotated[str, typer.Option(help="the user the changes are made as")],
    commit: Annotated[bool, typer.Option(help="apply it (default: a dry run)")] = False,
) -> None:
    """Check (and with --commit apply) a filled unit workbook, as its upload would."""
    from app.core.db import get_engine
    from app.core.errors import DomainError
    from app.excel.service import run_import

    with open(path, "rb") as f:
        data = f.read()
    with Session(get_engine(), expire_on_commit=False) as session:
        caller = _as_user(session, user)
        try:
            job = run_import(session, caller=caller, data=data, filename=path, dry_run=not commit)
        except DomainError as exc:
            console.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(1) from None
        session.commit()
    table = Table(title=f"import {job.id}: {job.status}")
    for column in ("sheet", "created", "updated", "deleted", "unchanged", "conflicts"):
        table.add_column(column)
    for sheet, counts in job.summary.items():
        table.add_row(sheet, *(str(v) for v in counts.values()))
    console.print(table)
    for p in job.problems:
        console.print(f"[red]{p['sheet']}!{p['cell']}[/red] {p['column']}: {p['message']}")
    if job.problems:
        raise typer.Exit(1)


@excel_cli.command("consolidated")
def excel_consolidated(
    year: Annotated[int, typer.Option()],
    unit: Annotated[str, typer.Option(help="org unit code, usually the municipality's")],
    user: Annotated[str, typer.Option(help="a quality or admin user")],
    output: Annotated[str, typer.Option("-o", "--output")] = "",
    municipality: Annotated[str | None, typer.Option(help="municipality code")] = None,
) -> None:
    """Write the quality unit's consolidated workbook of a year."""
    from app.auth.scope import Action, authorize_unit
    from app.core.db import get_engine, local_today
    from app.core.errors import DomainError
    from app.excel.export import consolidated_workbook
    from app.metrics.service import default_as_of

    with Session(get_engine()) as session:
        caller = _as_user(session, user)
        org_unit = _unit_by_code(session, unit, municipality)
        try:
            authorize_unit(session, caller, org_unit.id, Action.review, what=f"org unit {unit}")
        except DomainError as exc:
            console.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(2) from None
        data = consolidated_workbook(
            session,
            caller=caller,
            root=org_unit,
            year=year,
            as_of=default_as_of(year, local_today()),
        )
    path = output or f"apologismos_{org_unit.code}_{year}_consolidated.xlsx"
    with open(path, "wb") as f:
        f.write(data)
    console.print(f"[green]{path}[/green] ({len(data) // 1024} KB)")


@excel_cli.command("templates")
def excel_templates(
    folder: Annotated[str, typer.Option(help="where to write them")] = "templates_xlsx",
) -> None:
    """Write the blank standard tables (plan and report) for this template version."""
    from pathlib import Path

    from app.excel.columns import TEMPLATE_VERSION
    from app.excel.writer import blank_unit_workbook

    path = Path(folder) / f"apologismos_{TEMPLATE_VERSION}.xlsx"
    path.write_bytes(blank_unit_workbook())
    console.print(f"[green]{path}[/green]")


@cli.command("openapi")
def openapi(output: Annotated[str, typer.Option("-o", "--output")] = "-") -> None:
    """Write the OpenAPI document (what a frontend generates its client from)."""
    import json

    from app.main import create_app

    text = json.dumps(create_app().openapi(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if output == "-":
        typer.echo(text, nl=False)
    else:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)


def main() -> None:
    cli()
