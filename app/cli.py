"""Command-line tools: `flask geo load`, `flask demo seed`, `flask rollup verify|rebuild`, `flask user`,
`flask backup`, `flask create-admin`."""

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.services import accounts, backup, demo, geo, rollups

geo_cli = AppGroup("geo", help="Administrative units from the vietnam-provinces package.")
demo_cli = AppGroup("demo", help="Invented demonstration data.")
rollup_cli = AppGroup("rollup", help="Daily counters, household state and per-area counts, checked against the raw data.")
user_cli = AppGroup("user", help="Any account, administrators included, changed by whoever runs the server.")


@geo_cli.command("load")
@click.option("--province", "code", type=int, required=True, help="Province code, e.g. 92 for Cần Thơ.")
def geo_load(code: int) -> None:
    try:
        province, count = geo.load_province(code)
    except geo.UnknownProvince:
        db.session.rollback()
        raise click.ClickException(f"Unknown province code {code}. Valid codes: "
                                   + ", ".join(str(c) for c, _ in sorted(geo.province_choices()))) from None
    db.session.commit()
    click.echo(f"{province.name}: {count} communes and wards (xã, phường, đặc khu) loaded.")


@demo_cli.command("seed")
@click.option("--province", "code", type=int, default=92, show_default=True)
@click.option("--wards", type=int, default=2, show_default=True)
@click.option("--areas", "areas_per_ward", type=int, default=6, show_default=True)
@click.option("--households", "households_per_area", type=int, default=60, show_default=True,
              help="Households per area.")
@click.option("--months", type=int, default=3, show_default=True, help="Months of visits.")
@click.option("--seed", type=int, default=2026, show_default=True)
def demo_seed(code: int, **size) -> None:
    try:
        result = demo.seed(code, demo.SeedSize(**size))
    except demo.SeedRefused as refused:
        db.session.rollback()
        raise click.ClickException(str(refused)) from None
    except SQLAlchemyError as error:  # whatever the database refused, said in one line and nothing kept
        db.session.rollback()
        raise click.ClickException(f"Nothing was stored: {str(getattr(error, 'orig', None) or error).splitlines()[0]}") from None
    db.session.commit()
    for name in result.wards_seeded:
        click.echo(f"seeded {name}")
    for name in result.wards_skipped:
        click.echo(f"{name} already has data; left as it is")
    click.echo(f"{result.households} households and {result.visits} visits added.")
    click.echo(f"Demo logins (password: {demo.DEMO_PASSWORD}):")
    for username, _name, role in demo.DEMO_ACCOUNTS:
        click.echo(f"  {role.value:<13} {username}")


SHOWN_DIFFERENCES = 50


@rollup_cli.command("verify")
def rollup_verify() -> None:
    """Recompute every counter, household state and area count from the raw data; exit 1 when anything differs."""
    differences = rollups.verify()
    for difference in differences[:SHOWN_DIFFERENCES]:
        click.echo(str(difference))
    if len(differences) > SHOWN_DIFFERENCES:
        click.echo(f"... and {len(differences) - SHOWN_DIFFERENCES} more")
    if differences:
        raise click.ClickException(f"{len(differences)} differences; `flask rollup rebuild` repairs them.")
    click.echo("Counters, household state and area counts agree with the raw data.")


@rollup_cli.command("rebuild")
def rollup_rebuild() -> None:
    """Rewrite the counters, repair household state from the visits and rewrite the per-area counts."""
    repaired = rollups.rebuild()
    db.session.commit()
    click.echo(f"Counters rewritten; {len(repaired)} household state values repaired; area counts rewritten.")


@click.command("create-admin")
@click.option("--province", "code", type=int, required=True)
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True)
@click.password_option(confirmation_prompt=True)
def create_admin(code: int, username: str, display_name: str, password: str) -> None:
    """Create a province's first administrator; the password is asked for, never shown."""
    _long_enough(password)
    try:
        accounts.create_administrator(username=username, display_name=display_name, password=password,
                                      province_code=code)
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"Administrator {username} created for province {code}.")


def _long_enough(password: str) -> None:
    if len(password) < 10:
        raise click.ClickException("The password needs at least 10 characters.")


def _account(username: str):
    user = accounts.find_login(username)
    if user is None:
        raise click.ClickException(f"No account named {username}.")
    return user


@user_cli.command("set-password")
@click.argument("username")
@click.password_option(confirmation_prompt=True)
def user_set_password(username: str, password: str) -> None:
    """Give an account a new password (asked for, never shown) and end its sessions."""
    _long_enough(password)
    accounts.reset_password(None, _account(username), password)
    db.session.commit()
    click.echo(f"New password set for {username}; its sessions are ended.")


def _set_active(username: str, active: bool) -> None:
    accounts.set_active(None, _account(username), active)
    db.session.commit()
    click.echo(f"{username} is {'enabled' if active else 'disabled; its sessions are ended'}.")


@user_cli.command("disable")
@click.argument("username")
def user_disable(username: str) -> None:
    _set_active(username, False)


@user_cli.command("enable")
@click.argument("username")
def user_enable(username: str) -> None:
    _set_active(username, True)


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path) -> None:
    """Write a consistent copy of the live SQLite database to TARGET (safe while the app writes)."""
    try:
        size = backup.backup_sqlite(target)
    except backup.BackupNotSupported:
        raise click.ClickException("This database is PostgreSQL: back it up with pg_dump (see README).") from None
    click.echo(f"Backup written to {target} ({size / 1024 / 1024:.1f} MiB).")


def register(app: Flask) -> None:
    app.cli.add_command(geo_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(rollup_cli)
    app.cli.add_command(user_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(create_admin)
