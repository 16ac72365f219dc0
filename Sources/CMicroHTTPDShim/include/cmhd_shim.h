#ifndef CMHD_SHIM_H
#define CMHD_SHIM_H
// MHD_start_daemon is variadic, which Swift cannot call: the daemon is started here with its options as one
// MHD_OPTION_ARRAY. Typed helpers for the few other calls that Swift cannot make directly belong here too.
#include "../../CMicroHTTPD/shim.h"

/// The callback for MHD_OPTION_URI_LOG_CALLBACK: sees the request URI before libmicrohttpd decodes it; what it
/// returns becomes the request's `*con_cls`.
typedef void *(*cmhd_uri_callback)(void *cls, const char *uri, struct MHD_Connection *connection);

/// The daemon flags Postdesk uses: an internal polling thread (a pool when `threads` > 1) over epoll, with the
/// inter-thread channel MHD_quiesce_daemon needs, errors logged to stderr when `log_errors`.
unsigned int cmhd_server_flags(int log_errors);

/// MHD_start_daemon with the handler, the completion, URI and connection callbacks, and `options` (ended by an
/// item with MHD_OPTION_END) passed as one MHD_OPTION_ARRAY. NULL when the daemon cannot start.
struct MHD_Daemon *cmhd_start(unsigned int flags, uint16_t port,
                              MHD_AccessHandlerCallback handler, void *handler_cls,
                              MHD_RequestCompletedCallback completed, void *completed_cls,
                              cmhd_uri_callback uri, void *uri_cls,
                              MHD_NotifyConnectionCallback connection, void *connection_cls,
                              const struct MHD_OptionItem *options);

/// The peer address of a connection (MHD_get_connection_info is variadic); NULL if unknown.
const struct sockaddr *cmhd_connection_peer(struct MHD_Connection *connection);

/// The socket of a connection, or -1.
int cmhd_connection_fd(struct MHD_Connection *connection);

/// An option item (the struct's field names differ between libmicrohttpd versions; this keeps Swift off them).
struct MHD_OptionItem cmhd_option(enum MHD_OPTION option, intptr_t value);

#endif
