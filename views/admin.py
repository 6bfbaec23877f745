"""Administration: accounts, donor share links and the log of their use (admins only)."""

import os
from urllib.parse import urlsplit

import streamlit as st

from monitoring import i18n
from monitoring.access import accounts, admin, sharing
from monitoring.db import DatabaseError
from monitoring.i18n import _, ngettext
from monitoring.reports import map as map_report
from ui import access, common
from ui.navigation import PAGES
from ui.text import plain, plain_join

config, as_of = common.page_header(
    _("Administration"),
    _(
        "Who may sign in, and what donors see through the links shared with them. Every change "
        "here takes effect at once: a removed account is signed out at its next click, a revoked "
        "link opens nothing from then on."
    ),
)
viewer = access.viewer()
db = common.database()
me = accounts.get_user(db, viewer.name)


def done(message: str) -> None:
    st.session_state["admin_message"] = message
    st.rerun()


def refused(exc: Exception) -> None:
    st.error(plain(exc), icon=":material/error:")


message = st.session_state.pop("admin_message", None)
if message:
    st.success(plain(message), icon=":material/task_alt:")
if me is not None and not me.has_password and not viewer.identity_provider:
    st.warning(
        _(
            "**Your account has no password.** You came in with a one-time sign-in link, which "
            "works once: set a password under **Accounts › Set a password** so that you can "
            "sign in again."
        ),
        icon=":material/key:",
    )


def dashboard_base_url() -> str:
    """The address donors will use: $MONITORING_BASE_URL, else this page's own address."""
    if os.environ.get(sharing.BASE_URL_ENV):
        return sharing.base_url()
    parts = urlsplit(st.context.url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return sharing.base_url()


# The share links and their log are built only when their tab is open (a tab switch reruns
# the page): fewer elements on the page's first load (docs/benchmarks.md). The accounts tab,
# open first, is always built.
accounts_tab, links_tab, log_tab = common.tabs_on_demand(
    [_("Accounts"), _("Share links"), _("Share link use")], "admin-tab"
)

# Accounts -----------------------------------------------------------------------------------
with accounts_tab:
    table = admin.accounts_table(db)
    shown = admin.shown(table)  # column names in the reader's language
    # An account that never signed in: its last sign-in says so (not Streamlit's "None").
    st.dataframe(shown, hide_index=True, width="stretch", placeholder=_("never"))
    common.downloads(shown, "accounts", "accounts")
    st.caption(
        _(
            "Roles: **{manager}** sees every dashboard page; **{staff}** also uploads data; "
            "**{admin}** also undoes uploads and manages accounts and share links. Donors have "
            "no account: create a share link for them."
        ).format(
            manager=accounts.role_name(accounts.MANAGER),
            staff=accounts.role_name(accounts.STAFF),
            admin=accounts.role_name(accounts.ADMIN),
        )
    )
    names = table["User name"].tolist()
    add_col, change_col = st.columns(2, gap="large")
    with add_col, st.form("add-account", clear_on_submit=True):
        st.markdown(_("**Add an account**"))
        name = st.text_input(_("User name"), help=_("a-z, digits and . _ @ -, e.g. maria.k"))
        role = st.selectbox(_("Role"), accounts.ACCOUNT_ROLES, format_func=accounts.role_name)
        no_password = st.checkbox(
            _("Signs in through the organisation's identity provider only (no password)")
        )
        first = st.text_input(_("Password"), type="password", autocomplete="new-password")
        second = st.text_input(_("Password again"), type="password", autocomplete="new-password")
        st.caption(
            ngettext(
                "At least {n} character; a few unrelated words make a good one. Give it to "
                "the person by a separate channel.",
                "At least {n} characters; a few unrelated words make a good one. Give it to "
                "the person by a separate channel.",
                accounts.MIN_PASSWORD_LENGTH,
            ).format(n=accounts.MIN_PASSWORD_LENGTH)
        )
        if st.form_submit_button(_("Add account"), icon=":material/person_add:"):
            if not no_password and first != second:
                st.error(_("The two passwords differ; type the same one twice."))
            else:
                try:
                    added = accounts.add_user(
                        db, name, role, None if no_password else first, by=viewer.name
                    )
                    done(
                        _("Account {name} ({role}) added.").format(
                            name=added.user_name, role=accounts.role_name(added.role)
                        )
                    )
                except accounts.AccountError as exc:
                    refused(exc)

    with change_col:
        with st.form("set-password", clear_on_submit=True):
            st.markdown(_("**Set a password**"))
            whose = st.selectbox(
                _("Account"),
                names,
                index=names.index(viewer.name) if viewer.name in names else 0,
            )
            first = st.text_input(_("New password"), type="password", autocomplete="new-password")
            second = st.text_input(
                _("New password again"), type="password", autocomplete="new-password"
            )
            if st.form_submit_button(_("Set password"), icon=":material/key:"):
                if first != second:
                    st.error(_("The two passwords differ; type the same one twice."))
                else:
                    try:
                        # Every session of the account ends, but the one making the change.
                        mine = viewer.session_id if whose == viewer.name else None
                        accounts.change_password(db, whose, first, keep_session=mine)
                        done(_("The password of {name} was set.").format(name=whose))
                    except accounts.AccountError as exc:
                        refused(exc)

        with st.form("change-role"):
            st.markdown(_("**Change a role**"))
            whose = st.selectbox(_("Account"), names, key="role-account")
            role = st.selectbox(
                _("New role"),
                accounts.ACCOUNT_ROLES,
                key="role-new",
                format_func=accounts.role_name,
            )
            if st.form_submit_button(_("Change role"), icon=":material/manage_accounts:"):
                try:
                    changed = accounts.set_role(db, whose, role)
                    done(
                        _("{name} is now {role}.").format(
                            name=changed.user_name, role=accounts.role_name(changed.role)
                        )
                    )
                except accounts.AccountError as exc:
                    refused(exc)

        with st.form("remove-account"):
            st.markdown(_("**Remove an account**"))
            others = [n for n in names if n != viewer.name]
            whose = st.selectbox(
                _("Account"),
                others,
                key="remove-account-name",  # not the form's own key: a form's cannot be set
                **common.none_to_choose(others, _("No other account")),
            )
            sure = st.checkbox(_("I understand: this person can no longer sign in."))
            if st.form_submit_button(_("Remove account"), icon=":material/person_remove:"):
                if not whose:
                    st.error(_("There is no other account to remove."))
                elif not sure:
                    st.error(_("Tick the box to confirm the removal."))
                else:
                    try:
                        accounts.remove_user(db, whose)
                        done(_("Account {name} removed.").format(name=whose))
                    except accounts.AccountError as exc:
                        refused(exc)
            st.caption(_("You cannot remove your own account here; ask another admin."))


def links_protection_status() -> None:
    """Whether the disclosure audit passed for every active link's figures of this data
    (ui/access.links_protection): a warning naming the regions where it did not."""
    status, failed = access.links_protection(db)
    if status == "checking":
        told = access.links_audit_progress(db)
        st.caption(
            ":material/hourglass_top: "
            + _(
                "Checking the figures of the active links after the last change of data: small "
                "counts are hidden, and every figure around them is checked so that none can be "
                "worked out. This takes seconds, or minutes with many regions."
            )
            + (
                " "
                + _("Indicators checked so far: {done} of {total}.").format(
                    done=told[0], total=told[1]
                )
                if told is not None
                else ""
            )
            + (
                " "
                + _(
                    "Donors who open a link meanwhile see the indicators checked so far; the "
                    "figures of the others are hidden until they are checked."
                )
                if access.links_shown_in_part(db)
                else ""
            )
        )
    elif status == "passed":
        st.caption(
            ":material/verified_user: "
            + _(
                "Checked after the last change of data: no small count of people can be worked "
                "out from the active links' figures, alone or beside what the links showed "
                "before."
            )
        )
    elif status == "failed":
        names = common.region_names(config)
        scopes = "; ".join(plain_join(names.get(r, r) for r in scope) for scope in failed)
        st.warning(
            _(
                "**The protection check did not pass** for the links over {regions}: a reader "
                "could narrow down some withheld figures. Their donors see the figures with "
                "every cell hidden that could help. Run `python -m monitoring audit-disclosure` "
                "on the server to see which figures and why."
            ).format(regions=scopes),
            icon=":material/gpp_maybe:",
        )


# Share links --------------------------------------------------------------------------------
if links_tab.open:
    with links_tab:
        created = st.session_state.pop("admin_new_link", None)
        if created:
            st.success(
                _(
                    "Share link created. Send this address to the donor; anyone who has it "
                    "sees the view until it expires or you revoke it:"
                ),
                icon=":material/link:",
            )
            st.code(created, language=None)
            if overlaps := st.session_state.pop("admin_new_link_overlaps", []):
                named = [(other, plain(label)) for other, label in overlaps]
                st.warning(sharing.overlap_warning(named), icon=":material/warning:")
        region_names = common.cached(map_report.region_names, config)
        donor_pages = [p for p in PAGES if accounts.can_open_page(accounts.DONOR, p.url_path)]
        titles = {p.url_path: _(p.title) for p in donor_pages}
        with st.form("create-link", clear_on_submit=True):
            st.markdown(_("**Create a share link**"))
            label = st.text_input(
                _("Label"),
                max_chars=120,
                help=_("Who it is for, e.g. 'Donor mid-term review 2021'."),
            )
            expires = st.selectbox(
                _("Expires after"),
                ["7d", "30d", "90d", "180d", "366d"],
                index=2,
                format_func=lambda d: ngettext("{n} day", "{n} days", int(d[:-1])).format(
                    n=int(d[:-1])
                ),
            )
            regions = st.multiselect(
                _("Regions (none chosen: the whole programme)"),
                list(region_names),
                format_func=lambda c: f"{region_names[c]} ({c})",
                placeholder=_("Choose options"),
            )
            pages = st.multiselect(
                _("Pages (none chosen: every page a donor may see)"),
                list(titles),
                format_func=titles.get,
                placeholder=_("Choose options"),
            )
            downloads = st.selectbox(
                _("The donor may download"),
                ["tables,reports", "tables", "reports", "none"],
                format_func={
                    "tables,reports": _("Tables and reports (IPTT, PDF, IATI)"),
                    "tables": _("Tables only (CSV, Excel)"),
                    "reports": _("Reports only"),
                    "none": _("Nothing"),
                }.get,
            )
            donor_language = st.selectbox(
                _("Language for the donor"),
                ["", *i18n.LANGUAGES],
                format_func=lambda lang: (
                    i18n.language_name(lang) if lang else _("The donor's browser language")
                ),
                help=_(
                    "The language the link opens the dashboard in (lang= in its address). The "
                    "donor can still change it in the sidebar."
                ),
            )
            st.caption(
                _(
                    "Through a link, sensitive indicators are never shown and small counts of "
                    "people are shown as “<{threshold}”. Upload and administration are never open "
                    "to a link."
                ).format(threshold=config.privacy.small_count_threshold)
            )
            unapproved = st.checkbox(
                _("Show quarters not yet approved too"),
                help=_("By default a link shows approved quarters only ({doc}).").format(
                    doc="docs/quality.md"
                ),
            )
            if st.form_submit_button(_("Create link"), icon=":material/add_link:"):
                try:
                    base = dashboard_base_url()
                    link_id, token = sharing.create_share_link(
                        db,
                        label,
                        expires,
                        by=viewer.name,
                        regions=regions or None,
                        pages=pages or None,
                        available_pages=[p.url_path for p in PAGES],
                        downloads=downloads.split(","),
                        unapproved=unapproved,
                    )
                    st.session_state["admin_new_link"] = sharing.share_url(
                        token, url=base, lang=donor_language or None
                    )
                    st.session_state["admin_new_link_overlaps"] = sharing.overlapping_links(
                        db, link_id, config
                    )
                    st.rerun()
                except (sharing.ShareLinkError, DatabaseError) as exc:
                    refused(exc)

        links = admin.links_table(db)
        if links.empty:
            st.info(_("No share links yet."), icon=":material/link_off:")
        else:
            shown = admin.shown(links)
            # A link never opened: its last opening says so.
            st.dataframe(shown, hide_index=True, width="stretch", placeholder=_("never"))
            common.downloads(shown, "share_links", "links")
            links_protection_status()
            again_col, revoke_col = st.columns(2, gap="large")
            active = links[links.Status == admin.link_status("active")]
            labels = {
                int(r.Link): _("Link {number} · {label}").format(number=r.Link, label=r.Label)
                for r in active.itertuples()
            }
            with again_col:
                st.markdown(_("**Copy a link's address again**"))
                again = st.selectbox(
                    _("Active link"),
                    list(labels),
                    format_func=labels.get,
                    **common.none_to_choose(labels, _("No active link")),
                )
                again_language = st.selectbox(
                    _("Language for the donor"),
                    ["", *i18n.LANGUAGES],
                    format_func=lambda lang: (
                        i18n.language_name(lang) if lang else _("The donor's browser language")
                    ),
                    key="again-language",
                )
                if again is not None:
                    st.code(
                        sharing.share_url(
                            sharing.link_token(db, again),
                            url=dashboard_base_url(),
                            lang=again_language or None,
                        ),
                        language=None,
                    )
            with revoke_col, st.form("revoke-link"):
                st.markdown(_("**Revoke a link**"))
                chosen = st.selectbox(
                    _("Active link"),
                    list(labels),
                    format_func=labels.get,
                    key="revoke-choice",
                    **common.none_to_choose(labels, _("No active link")),
                )
                sure = st.checkbox(_("I understand: the link opens nothing from now on."))
                if st.form_submit_button(_("Revoke link"), icon=":material/link_off:"):
                    if chosen is None:
                        st.error(_("There is no active link to revoke."))
                    elif not sure:
                        st.error(_("Tick the box to confirm."))
                    else:
                        try:
                            sharing.revoke_share_link(db, chosen, by=viewer.name)
                            done(
                                _("Link {number} revoked: it opens nothing any more.").format(
                                    number=chosen
                                )
                            )
                        except sharing.ShareLinkError as exc:
                            refused(exc)

# Use log ------------------------------------------------------------------------------------
if log_tab.open:
    with log_tab:
        common.listing(
            admin.shown(admin.uses_table(db)),
            none=_("No share link has been used yet."),
            about=_(
                "Every time a link opened a page, or was refused because it had expired or was "
                "revoked; newest first, the latest 500. A changed or incomplete link names no "
                "link, so it cannot be listed here."
            ),
            name="share_link_use",
            key="uses",
            icon=":material/history:",
        )
