"""Administration: accounts, donor share links and the log of their use (admins only)."""

import os
from urllib.parse import urlsplit

import streamlit as st

from monitoring.access import accounts, admin, sharing
from monitoring.db import DatabaseError
from monitoring.reports import map as map_report
from ui import access, common
from ui.navigation import PAGES
from ui.text import plain

config, as_of = common.page_header(
    "Administration",
    "Who may sign in, and what donors see through the links shared with them. Every change "
    "here takes effect at once: a removed account is signed out at its next click, a revoked "
    "link opens nothing from then on.",
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
        "**Your account has no password.** You came in with a one-time sign-in link, which "
        "works once: set a password under **Accounts › Set a password** so that you can sign "
        "in again.",
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


accounts_tab, links_tab, log_tab = st.tabs(["Accounts", "Share links", "Share link use"])

# Accounts -----------------------------------------------------------------------------------
with accounts_tab:
    table = admin.accounts_table(db)
    st.dataframe(table, hide_index=True, width="stretch")
    common.downloads(table, "accounts", "accounts")
    st.caption(
        "Roles: **manager** sees every dashboard page; **staff** also uploads data; "
        "**admin** also undoes uploads and manages accounts and share links. Donors have no "
        "account: create a share link for them."
    )
    names = table["User name"].tolist()
    add_col, change_col = st.columns(2, gap="large")
    with add_col, st.form("add-account", clear_on_submit=True):
        st.markdown("**Add an account**")
        name = st.text_input("User name", help="a-z, digits and . _ @ -, e.g. maria.k")
        role = st.selectbox("Role", accounts.ACCOUNT_ROLES)
        no_password = st.checkbox(
            "Signs in through the organisation's identity provider only (no password)"
        )
        first = st.text_input("Password", type="password", autocomplete="new-password")
        second = st.text_input("Password again", type="password", autocomplete="new-password")
        st.caption(
            f"At least {accounts.MIN_PASSWORD_LENGTH} characters; a few unrelated words "
            "make a good one. Give it to the person by a separate channel."
        )
        if st.form_submit_button("Add account", icon=":material/person_add:"):
            if not no_password and first != second:
                st.error("The two passwords differ; type the same one twice.")
            else:
                try:
                    added = accounts.add_user(
                        db, name, role, None if no_password else first, by=viewer.name
                    )
                    done(f"Account {added.user_name} ({added.role}) added.")
                except accounts.AccountError as exc:
                    refused(exc)

    with change_col:
        with st.form("set-password", clear_on_submit=True):
            st.markdown("**Set a password**")
            whose = st.selectbox(
                "Account",
                names,
                index=names.index(viewer.name) if viewer.name in names else 0,
            )
            first = st.text_input("New password", type="password", autocomplete="new-password")
            second = st.text_input(
                "New password again", type="password", autocomplete="new-password"
            )
            if st.form_submit_button("Set password", icon=":material/key:"):
                if first != second:
                    st.error("The two passwords differ; type the same one twice.")
                else:
                    try:
                        # Every session of the account ends, but the one making the change.
                        mine = viewer.session_id if whose == viewer.name else None
                        accounts.change_password(db, whose, first, keep_session=mine)
                        done(f"The password of {whose} was set.")
                    except accounts.AccountError as exc:
                        refused(exc)

        with st.form("change-role"):
            st.markdown("**Change a role**")
            whose = st.selectbox("Account", names, key="role-account")
            role = st.selectbox("New role", accounts.ACCOUNT_ROLES, key="role-new")
            if st.form_submit_button("Change role", icon=":material/manage_accounts:"):
                try:
                    changed = accounts.set_role(db, whose, role)
                    done(f"{changed.user_name} is now {changed.role}.")
                except accounts.AccountError as exc:
                    refused(exc)

        with st.form("remove-account"):
            st.markdown("**Remove an account**")
            others = [n for n in names if n != viewer.name]
            whose = st.selectbox("Account", others, key="remove-account")
            sure = st.checkbox("I understand: this person can no longer sign in.")
            if st.form_submit_button("Remove account", icon=":material/person_remove:"):
                if not whose:
                    st.error("There is no other account to remove.")
                elif not sure:
                    st.error("Tick the box to confirm the removal.")
                else:
                    try:
                        accounts.remove_user(db, whose)
                        done(f"Account {whose} removed.")
                    except accounts.AccountError as exc:
                        refused(exc)
            st.caption("You cannot remove your own account here; ask another admin.")

# Share links --------------------------------------------------------------------------------
with links_tab:
    created = st.session_state.pop("admin_new_link", None)
    if created:
        st.success(
            "Share link created. Send this address to the donor; anyone who has it sees the "
            "view until it expires or you revoke it:",
            icon=":material/link:",
        )
        st.code(created, language=None)
    region_names = common.cached(map_report.region_names, config)
    donor_pages = [p for p in PAGES if accounts.can_open_page(accounts.DONOR, p.url_path)]
    titles = {p.url_path: p.title for p in donor_pages}
    with st.form("create-link", clear_on_submit=True):
        st.markdown("**Create a share link**")
        label = st.text_input(
            "Label", max_chars=120, help="Who it is for, e.g. 'Donor mid-term review 2021'."
        )
        expires = st.selectbox(
            "Expires after",
            ["7d", "30d", "90d", "180d", "366d"],
            index=2,
            format_func=lambda d: f"{d[:-1]} days",
        )
        regions = st.multiselect(
            "Regions (none chosen: the whole programme)",
            list(region_names),
            format_func=lambda c: f"{region_names[c]} ({c})",
        )
        pages = st.multiselect(
            "Pages (none chosen: every page a donor may see)",
            list(titles),
            format_func=titles.get,
        )
        downloads = st.selectbox(
            "The donor may download",
            ["tables,reports", "tables", "reports", "none"],
            format_func={
                "tables,reports": "Tables and reports (IPTT, PDF, IATI)",
                "tables": "Tables only (CSV, Excel)",
                "reports": "Reports only",
                "none": "Nothing",
            }.get,
        )
        st.caption(
            "Through a link, sensitive indicators are never shown and small counts of people "
            f"are shown as “<{config.privacy.small_count_threshold}”. Upload and "
            "administration are never open to a link."
        )
        if st.form_submit_button("Create link", icon=":material/add_link:"):
            try:
                base = dashboard_base_url()
                _, token = sharing.create_share_link(
                    db,
                    label,
                    expires,
                    by=viewer.name,
                    regions=regions or None,
                    pages=pages or None,
                    available_pages=[p.url_path for p in PAGES],
                    downloads=downloads.split(","),
                )
                st.session_state["admin_new_link"] = sharing.share_url(token, url=base)
                st.rerun()
            except (sharing.ShareLinkError, DatabaseError) as exc:
                refused(exc)

    links = admin.links_table(db)
    if links.empty:
        st.info("No share links yet.", icon=":material/link_off:")
    else:
        st.dataframe(links, hide_index=True, width="stretch")
        common.downloads(links, "share_links", "links")
        again_col, revoke_col = st.columns(2, gap="large")
        active = links[links.Status == admin.LINK_STATUS["active"]]
        labels = {int(r.Link): f"Link {r.Link} · {r.Label}" for r in active.itertuples()}
        with again_col:
            st.markdown("**Copy a link's address again**")
            again = st.selectbox("Active link", list(labels), format_func=labels.get)
            if again is not None:
                st.code(
                    sharing.share_url(sharing.link_token(db, again), url=dashboard_base_url()),
                    language=None,
                )
        with revoke_col, st.form("revoke-link"):
            st.markdown("**Revoke a link**")
            chosen = st.selectbox(
                "Active link", list(labels), format_func=labels.get, key="revoke-choice"
            )
            sure = st.checkbox("I understand: the link opens nothing from now on.")
            if st.form_submit_button("Revoke link", icon=":material/link_off:"):
                if chosen is None:
                    st.error("There is no active link to revoke.")
                elif not sure:
                    st.error("Tick the box to confirm.")
                else:
                    try:
                        sharing.revoke_share_link(db, chosen, by=viewer.name)
                        done(f"Link {chosen} revoked: it opens nothing any more.")
                    except sharing.ShareLinkError as exc:
                        refused(exc)

# Use log ------------------------------------------------------------------------------------
with log_tab:
    uses = admin.uses_table(db)
    if uses.empty:
        st.info("No share link has been used yet.", icon=":material/history:")
    else:
        st.caption(
            "Every time a link opened a page, or was refused because it had expired or was "
            "revoked; newest first, the latest 500. A changed or incomplete link names no "
            "link, so it cannot be listed here."
        )
        st.dataframe(uses, hide_index=True, width="stretch")
        common.downloads(uses, "share_link_use", "uses")
