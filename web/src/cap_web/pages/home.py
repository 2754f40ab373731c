"""The front page: the public welcome, or each signed-in person's own start page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.console import MaybePersonDep, redirect, render

router = APIRouter()


@router.get("/", include_in_schema=False)
async def home(request: Request, person: MaybePersonDep) -> Response:
    """Anonymous: what the console is, the registry and sign-in. Signed in: their start page."""
    if person is not None:
        if person.has("member", "member_admin"):
            return redirect("/tableau-de-bord")
        if person.has("facilitator"):
            return redirect("/animation")
        if person.has("auditor"):
            return redirect("/auditeur/audits")
        if person.has("committee"):
            return redirect("/comite")
        if person.has("admin"):
            return redirect("/admin")
        return redirect("/notifications")
    return render(request, "home.html", {"signed_out": request.query_params.get("deconnecte")})
