#ifndef CMHD_SHIM_H
#define CMHD_SHIM_H
// MHD_start_daemon is variadic, which Swift cannot call: the daemon is started here with its options as one
// MHD_OPTION_ARRAY. Typed helpers for the few other calls that Swift cannot make directly belong here too.
#include "../../CMicroHTTPD/shim.h"

#endif
