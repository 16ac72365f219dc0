#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H
// curl_easy_setopt and curl_easy_getinfo are variadic: Swift cannot call C variadic functions,
// so each argument type gets one typed, prefixed wrapper here. Nothing else belongs in this file.
#include <curl/curl.h>

CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode ccurl_easy_setopt_read_callback(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *));
CURLcode ccurl_easy_setopt_write_callback(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *));
CURLcode ccurl_easy_setopt_debug_callback(CURL *handle, int (*callback)(CURL *, curl_infotype, char *, size_t, void *));
CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);

#endif
