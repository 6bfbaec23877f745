"""Who sees what: accounts, sign-in links, donor share links and the protection of people.

- `accounts`: users, roles, passwords, what each role may do.
- `signin_links`, `sharing`: one-time sign-in links and donors' share links (signed tokens).
- `suppression`: the rules that hide small counts of people and whatever gives them away.
- `cells`: those rules applied once to every count of people a donor view can reach.
- `admin`: what the Administration page lists.

May import monitoring.db, monitoring.settings, monitoring.periods and monitoring.contract;
never monitoring.intake, monitoring.reports or monitoring.cli (they import it).
"""
