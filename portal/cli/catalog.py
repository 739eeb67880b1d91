"""``odp validate``, ``datasets``, ``show``, ``schemas`` and ``summary``: read the catalog from the terminal.

These commands only read. They show what the portal shows and no more: a conditional (有条件开放) dataset's
validation errors are printed without their cells, through the same ``catalog.access`` policy as the pages.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session, select

from catalog import access
from catalog.access import public_validation_report
from catalog.datasets.queries import (
    DatasetNotFound,
    catalog_summary,
    dataset_validation_statuses,
    get_dataset,
    list_datasets,
)
from catalog.models import Dataset, Department
from catalog.privacy.policy import block_messages
from catalog.schemas import SchemaNotFound, get_schema, list_schemas
from catalog.validation_messages import explain_report, field_titles, type_name
from catalog.vocabulary import (
    DOMAINS,
    OPEN_CLASSES,
    DatasetState,
    PiiStatus,
    ValidationStatus,
    resolve_domain,
)

from .console import STATUS_LABEL, console, fail, heading, print_json, styled
from .context import catalog


def validate(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Dataset name")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the stored reports as JSON")] = False,
) -> None:
    """Print the frictionless validation report of a dataset's tables (exit 1 if any is not valid)."""
    with catalog(ctx).session() as session:
        try:
            view = get_dataset(session, name)
        except DatasetNotFound as exc:
            raise fail(str(exc)) from exc
    readable = access.data_readable(view.dataset)  # 有条件开放: errors without their cells, as on the portal
    if as_json:
        reports = {
            r.resource.name: explain_report(
                public_validation_report(r.current.validation_report, data_readable=readable),
                field_titles(r.current.table_schema),
            ) if r.current else None
            for r in view.resources
        }
        print_json(reports)
    else:
        console.print(f"[bold]{view.dataset.title}[/] ({view.dataset.name})")
        for res in view.resources:
            _print_report(res, readable)
    if view.validation_status in (ValidationStatus.invalid, ValidationStatus.error):
        raise typer.Exit(1)


def _print_report(res, readable: bool) -> None:
    version = res.current
    if version is None:
        return
    report = explain_report(public_validation_report(version.validation_report, data_readable=readable),
                            field_titles(version.table_schema)) or {}
    heading(
        f"{res.resource.name} · {res.resource.format or '?'} · {styled(version.validation_status, STATUS_LABEL.get(version.validation_status))}"
    )
    console.print(
        f"rows: {version.row_count if version.row_count is not None else '-'}   "
        f"encoding: {version.encoding or '-'}   schema: {version.schema_ref or ('inline' if version.table_schema else '-')}"
        f"   sha256: {version.sha256[:12]}…"
    )
    if not report or report.get("valid", True):
        return
    by_type = Table(title="问题类型 errors by type")
    by_type.add_column("问题")
    by_type.add_column("type")
    by_type.add_column("count", justify="right")
    for etype, count in report.get("errors_by_type", {}).items():
        by_type.add_row(type_name(etype), etype, str(count))
    console.print(by_type)
    first = Table(title=f"前 {len(report.get('errors', []))} 处，共 {report.get('error_count')} 处 "
                        f"first {len(report.get('errors', []))} of {report.get('error_count')} errors")
    columns = ("row", "field", "问题", "说明", "type") + (("message",) if readable else ())
    for column in columns:
        first.add_column(column, overflow="fold")
    for e in report.get("errors", []):
        cells = (str(e.get("row") or ""), str(e.get("field") or ""), e.get("name_zh", ""),
                 e.get("explanation", ""), e.get("type", ""))
        first.add_row(*cells, *((e.get("message", ""),) if readable else ()))  # may quote a cell: readers only
    console.print(first)


def datasets(
    ctx: typer.Context,
    domain: Annotated[str | None, typer.Option(help="Domain code or 中文名")] = None,
    department: Annotated[str | None, typer.Option(help="Department slug or 中文名")] = None,
    withdrawn: Annotated[bool, typer.Option("--withdrawn", help="Include withdrawn datasets")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON")] = False,
) -> None:
    """List datasets with their domain, department, open class and validation status."""
    if domain is not None and resolve_domain(domain) is None:  # a typo is an error, not an empty list
        raise fail(f"no domain '{domain}'; the 12 domains are: "
                   + ", ".join(f"{d.code} ({d.name})" for d in DOMAINS))
    with catalog(ctx).session() as session:
        if department is not None and not session.exec(
            select(Department.id).where((Department.name == department) | (Department.title == department))
        ).first():
            raise fail(f"no department '{department}' (give its slug or 中文名; `odp departments list` lists them)")
        rows = list_datasets(session, domain=domain, department=department, include_withdrawn=withdrawn)
        statuses = dataset_validation_statuses(session)
    if as_json:
        print_json([
            {
                "name": ds.name,
                "title": ds.title,
                "domain": dom.code,
                "domain_title": dom.name,
                "department": dept.name,
                "department_title": dept.title,
                "open_class": ds.open_class,
        "pii_status": ds.pii_status,
                "validation_status": statuses.get(ds.id, ValidationStatus.not_tabular),
                "state": ds.state,
            }
            for ds, dom, dept in rows
        ])
        return
    table = Table(title=f"数据集 datasets ({len(rows)})")
    for column in ("name", "标题 title", "领域 domain", "部门 department", "开放属性", "校验 validation"):
        table.add_column(column, overflow="fold")
    if withdrawn:
        table.add_column("state")
    for ds, dom, dept in rows:
        status = statuses.get(ds.id, ValidationStatus.not_tabular)
        cells = [
            ds.name,
            ds.title,
            dom.name,
            dept.title,
            OPEN_CLASSES.get(ds.open_class, ds.open_class),
            styled(status, STATUS_LABEL.get(status)),
        ]
        table.add_row(*cells, *([ds.state] if withdrawn else []))
    console.print(table)


PII_LABELS = {PiiStatus.clean: "无 none found", PiiStatus.flagged: "已发布，带警告 flagged",
              PiiStatus.blocked: "未发布 blocked (ODP_PII_POLICY=block)"}


def _pii_line(session: Session, dataset: Dataset) -> str:
    """The dataset's personal-information status and its flagged columns, for the operator."""
    messages = block_messages(session, dataset) if dataset.pii_status != PiiStatus.clean else []
    return "; ".join([PII_LABELS.get(dataset.pii_status, str(dataset.pii_status)), *messages])


def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Dataset name")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the metadata and resources as JSON")] = False,
) -> None:
    """Show a dataset's metadata, resources and versions."""
    with catalog(ctx).session() as session:
        try:
            view = get_dataset(session, name)
        except DatasetNotFound as exc:
            raise fail(str(exc)) from exc
        pii = _pii_line(session, view.dataset)
    ds = view.dataset
    if as_json:
        print_json(_show_json(view))
        return
    meta = Table(show_header=False, title=f"{ds.title} ({ds.name})")
    meta.add_column(style="bold")
    meta.add_column(overflow="fold")
    contact = ds.contact or {}
    for label, value in (
        ("数据领域 domain", f"{view.domain.name} ({view.domain.code})"),
        ("数据提供方 department", f"{view.department.title} ({view.department.name})"),
        ("描述 description", ds.description),
        ("关键字 keywords", "、".join(ds.keywords or [])),
        ("更新频度 frequency", ds.update_frequency or ""),
        ("开放属性 open class", OPEN_CLASSES.get(ds.open_class, ds.open_class)),
        ("许可 license", ds.license_id or ""),
        ("时间范围 temporal", ds.temporal_coverage or ""),
        ("空间范围 spatial", ds.spatial_coverage or ""),
        ("联系方式 contact", " ".join(str(v) for v in contact.values())),
        ("创建 created", str(ds.created or "")),
        ("首次发布 first published", str(ds.first_published)),
        ("更新日期 modified", str(ds.modified)),
        ("状态 state", ds.state),
        ("个人信息 PII", pii),
        ("extras", json.dumps(ds.extras, ensure_ascii=False) if ds.extras else ""),
    ):
        meta.add_row(label, value)
    console.print(meta)
    res_table = Table(title="资源 resources")
    for column in ("name", "format", "rows", "size", "validation", "versions", "sha256"):
        res_table.add_column(column)
    for res in view.resources:
        cur = res.current
        res_table.add_row(
            res.resource.name,
            res.resource.format or "",
            str(cur.row_count if cur and cur.row_count is not None else ""),
            f"{cur.size:,}" if cur else "",
            styled(cur.validation_status, STATUS_LABEL.get(cur.validation_status)) if cur else "",
            str(len(res.versions)),
            cur.sha256[:12] if cur else "",
        )
    console.print(res_table)


def _show_json(view) -> dict:
    ds = view.dataset
    return {
        "name": ds.name,
        "title": ds.title,
        "description": ds.description,
        "domain": view.domain.code,
        "domain_title": view.domain.name,
        "department": view.department.name,
        "department_title": view.department.title,
        "keywords": ds.keywords or [],
        "update_frequency": ds.update_frequency,
        "open_class": ds.open_class,
        "license_id": ds.license_id,
        "temporal_coverage": ds.temporal_coverage,
        "spatial_coverage": ds.spatial_coverage,
        "contact": ds.contact,
        "created": ds.created,
        "first_published": ds.first_published,
        "modified": ds.modified,
        "state": ds.state,
        "extras": ds.extras,
        "resources": [
            {
                "name": res.resource.name,
                "format": res.resource.format,
                "rows": res.current.row_count if res.current else None,
                "size": res.current.size if res.current else None,
                "validation_status": res.current.validation_status if res.current else None,
                "versions": len(res.versions),
                "sha256": res.current.sha256 if res.current else None,
            }
            for res in view.resources
        ],
    }


def schemas(name: Annotated[str | None, typer.Argument(help="Show one schema's fields")] = None) -> None:
    """List the published Table Schemas, or show one."""
    if name:
        try:
            schema = get_schema(name)
        except SchemaNotFound as exc:
            raise fail(str(exc)) from exc
        table = Table(title=f"{schema.title} ({schema.name})", caption=schema.description)
        for column in ("name", "标题 title", "type", "说明 description", "constraints"):
            table.add_column(column, overflow="fold")
        for f in schema.fields:
            table.add_row(
                f.get("name", ""),
                f.get("title", ""),
                f.get("type", "any"),
                f.get("description", ""),
                json.dumps(f.get("constraints"), ensure_ascii=False) if f.get("constraints") else "",
            )
        console.print(table)
        return
    table = Table(title="已发布数据标准 published schemas")
    for column in ("name", "标题 title", "fields", "说明 description"):
        table.add_column(column, overflow="fold")
    for schema in list_schemas():
        table.add_row(schema.name, schema.title, str(len(schema.fields)), schema.description)
    console.print(table)


def summary(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the totals as JSON")] = False,
) -> None:
    """Totals of the catalog: datasets per domain, departments, validation statuses."""
    opened = catalog(ctx)
    with opened.session() as session:
        s = catalog_summary(session)
    if as_json:
        print_json({
            "datasets_by_state": s.datasets_by_state,
            "datasets_by_domain": {dom.code: count for dom, count in s.datasets_by_domain},
            "departments": s.departments,
            "resources": s.resources,
            "versions": s.versions,
            "validation": s.validation,
            "open_classes": s.open_classes,
            "pii": s.pii,
            "data_dir": str(opened.settings.data_dir.resolve()),
        })
        return
    table = Table(title="数据领域 domains")
    table.add_column("code")
    table.add_column("领域")
    table.add_column("datasets", justify="right")
    for dom, count in s.datasets_by_domain:
        table.add_row(dom.code, dom.name, str(count))
    console.print(table)
    active = s.datasets_by_state.get(DatasetState.active, 0)
    console.print(
        f"datasets: [bold]{active}[/] active, {s.datasets_by_state.get(DatasetState.withdrawn, 0)} withdrawn · "
        f"domains with data: {sum(1 for _, c in s.datasets_by_domain if c)}/12 · departments: {s.departments} · "
        f"resources: {s.resources} · versions: {s.versions}"
    )
    console.print(
        "validation: "
        + ", ".join(f"{styled(k, STATUS_LABEL.get(k))} {v}" for k, v in sorted(s.validation.items()))
    )
    console.print(
        "open classes: "
        + ", ".join(f"{OPEN_CLASSES.get(k, k)} {v}" for k, v in sorted(s.open_classes.items()))
    )
    if s.pii.get(PiiStatus.blocked) or s.pii.get(PiiStatus.flagged):
        console.print(f"personal information: [magenta]{s.pii.get(PiiStatus.blocked, 0)} blocked[/] (not published), "
                      f"{s.pii.get(PiiStatus.flagged, 0)} flagged (published with a warning) · odp pii-scan")
    console.print(f"data dir: {opened.settings.data_dir.resolve()}")
