"""A requester's private status page, reached by the link in their mail."""

from __future__ import annotations

from litestar import get
from litestar.params import FromPath
from litestar.response import Template

from ticketing.container import Container
from ticketing.web.deps import ContainerDep
from ticketing.web.i18n import translations


@get("/status/{token:str}", include_in_schema=False)
async def status_page(token: FromPath[str], container: ContainerDep) -> Template:
    summary = await container.queries.status_for_requester(token)
    desk = container.desks[summary.desk]
    lang = summary.language
    context = {"_": translations(lang).gettext, "lang": lang, "t": summary, "desk": desk}
    return Template("status.html", context=context, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})
