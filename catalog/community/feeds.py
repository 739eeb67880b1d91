"""The community's Atom feeds, written by catalog/exports/feeds.py's writer: one dataset's changes (new versions,
requests answered with it, error reports answered — follows.py decides what a change is) and the newest data
requests. Only listed datasets have a feed (404 closed, 410 withdrawn); hidden requests are left out."""

from __future__ import annotations

from sqlmodel import Session, col, select

from catalog.exports.feeds import FEED_SIZE, FeedItem, atom_feed
from catalog.exports.records import Urls
from catalog.models import Account, DataRequest

from . import follows, moderation
from .requests import STATUS_LABELS, RequestStatus


def dataset_feed(session: Session, name: str, urls: Urls, *, feed_path: str, site: str) -> str:
    dataset, found = follows.of_dataset(session, name, FEED_SIZE)
    page = urls.dataset(dataset.name)
    items = [FeedItem(id=f"{page}#{c.key}", title=c.title, link=urls.base + c.link,
                      published=c.time, updated=c.time, summary=f"{dataset.title}：{c.title}")
             for c in found]
    return atom_feed(items, feed_id=urls.base + feed_path, title=f"{dataset.title} · 更新 · {site}",
                     alternate=page)


def requests_feed(session: Session, urls: Urls, *, feed_path: str, site: str) -> str:
    rows = session.exec(select(DataRequest, Account).join(Account, col(Account.id) == DataRequest.account_id)
                        .where(col(DataRequest.hidden).is_(None))
                        .order_by(col(DataRequest.created).desc(), col(DataRequest.id).desc()).limit(FEED_SIZE))
    base = urls.base
    items = [FeedItem(id=f"{base}/requests/{r.id}", title=r.title, link=f"{base}/requests/{r.id}",
                      published=r.created, updated=r.answered or r.created,
                      summary=f"［{STATUS_LABELS[RequestStatus(r.status)]}］{r.description}",
                      author=moderation.author_name(a)) for r, a in rows]
    return atom_feed(items, feed_id=base + feed_path, title=f"数据需求 · {site}", alternate=f"{base}/requests")
