#include <stdint.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include "cmhd_shim.h"

unsigned int cmhd_server_flags(int log_errors) {
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
    if (log_errors) flags |= MHD_USE_ERROR_LOG;
    return flags;
}

struct MHD_Daemon *cmhd_start(unsigned int flags, uint16_t port,
                              MHD_AccessHandlerCallback handler, void *handler_cls,
                              MHD_RequestCompletedCallback completed, void *completed_cls,
                              cmhd_uri_callback uri, void *uri_cls,
                              MHD_NotifyConnectionCallback connection, void *connection_cls,
                              const struct MHD_OptionItem *options) {
    // Function-pointer options go as their own variadic pairs: MHD_OPTION_ARRAY carries them as intptr_t,
    // which would need casts between function and object pointers.
    return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, completed_cls,
                            MHD_OPTION_URI_LOG_CALLBACK, uri, uri_cls,
                            MHD_OPTION_NOTIFY_CONNECTION, connection, connection_cls,
                            MHD_OPTION_ARRAY, options,
                            MHD_OPTION_END);
}

const struct sockaddr *cmhd_connection_peer(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}

int cmhd_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : info->connect_fd;
}

struct MHD_OptionItem cmhd_option(enum MHD_OPTION option, intptr_t value) {
    struct MHD_OptionItem item = { option, value, NULL };
    return item;
}
