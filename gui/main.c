/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <locale.h>
#include <glib/gi18n.h>

#include "build-config.h"
#include "fr-application.h"

int main(int argc, char *argv[]) {
        g_autoptr(FrApplication) app = NULL;

        setlocale(LC_ALL, "");
        bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
        bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
        textdomain(GETTEXT_PACKAGE);

        g_set_application_name(_("Factory Reset"));
        app = fr_application_new();
        return g_application_run(G_APPLICATION(app), argc, argv);
}
