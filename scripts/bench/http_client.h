/* http_client: the few blocking socket calls the bench helpers share. */
#ifndef HTTP_CLIENT_H
#define HTTP_CLIENT_H

#include <stddef.h>

#define HTTP_CLIENT_REQUEST "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

/* A connected blocking TCP socket to host:port, or -1 with errno set. */
int http_client_connect(const char *host, const char *port);

/* Write all of text to fd; 0 or -1. */
int http_client_send(int fd, const char *text, size_t len);

/* Read one reply with a Content-Length body; its status, or -1. */
int http_client_read_reply(int fd);

#endif
