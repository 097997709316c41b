"""Django's makemessages, also extracting strings marked with `N_` (gettext_noop).

The project marks strings that are translated later, at display time, with
`from django.utils.translation import gettext_noop as N_` (e.g. the demo logins' hints).
xgettext only extracts the keywords it is told, and Django does not tell it `N_`, so those
strings would never reach a catalogue and would show in English under zh-hans.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    help = (
        "Extract every translatable string into the catalogues, as Django's makemessages "
        "does, including strings marked with N_ (gettext_noop)."
    )
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]
