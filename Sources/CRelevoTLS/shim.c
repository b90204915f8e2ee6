#include "CRelevoTLS.h"

unsigned long crelevo_openssl_version_number(void) {
    return OPENSSL_VERSION_NUMBER;
}

int crelevo_ssl_ctx_set_modern_protocols(SSL_CTX *context) {
    return SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION)
        && SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION);
}

void crelevo_ssl_ctx_set_nonblocking_modes(SSL_CTX *context) {
    SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}
