// OpenSSL macros that Swift cannot import, as functions and constants.
#ifndef C_RELEVO_TLS_H
#define C_RELEVO_TLS_H
#include <openssl/ssl.h>
#include <openssl/opensslv.h>

/// The OpenSSL version relevo was compiled against (OPENSSL_VERSION_NUMBER).
unsigned long crelevo_openssl_version_number(void);

/// Restricts a context to TLS 1.2 and 1.3; returns 1 on success.
int crelevo_ssl_ctx_set_modern_protocols(SSL_CTX *context);

/// Sets SSL_MODE_ENABLE_PARTIAL_WRITE and SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER.
void crelevo_ssl_ctx_set_nonblocking_modes(SSL_CTX *context);

#endif
