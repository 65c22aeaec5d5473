/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <adwaita.h>

/* io.hotkeyd.FactoryReset: the window by default, the session agent with
 * --agent (not unique: the window can open while the agent runs). */

G_BEGIN_DECLS

#define FR_APP_ID "io.hotkeyd.FactoryReset"
/* The GResource prefix: the templates (*.ui) and style.css, which
 * AdwApplication loads from here by itself. */
#define FR_RESOURCE_PATH "/io/hotkeyd/FactoryReset"

#define FR_TYPE_APPLICATION (fr_application_get_type())
G_DECLARE_FINAL_TYPE(FrApplication, fr_application, FR, APPLICATION, AdwApplication)

FrApplication *fr_application_new(void);

G_END_DECLS
