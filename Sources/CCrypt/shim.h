// libxcrypt (Debian: libcrypt-dev): crypt_ra and crypt_gensalt_ra for yescrypt password hashes.
#include <crypt.h>
