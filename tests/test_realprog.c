/*
 * test_realprog.c - zcl trace on a real server from Debian: nginx serving a
 * 1 MiB file with `sendfile on` sends it with no CPU copy (the page cache's
 * pages go to the socket by reference), and with `sendfile off` pays two
 * CPU copies per byte (page cache -> nginx's buffer -> socket buffer).
 * nginx comes from `make deps` (DEB_TEST); the test fails, never skips,
 * when it is missing.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "input.h"

#define NGINX "/usr/sbin/nginx"
#define BODY (1u << 20) /* bytes of the served file */

static char dir[] = "/var/tmp/zcl-nginx-XXXXXX";

static void make_dir(void) { cr_assert_not_null(mkdtemp(dir)); }
static void drop_dir(void) { zcl_rm_rf(dir); }

TestSuite(realprog, .init = make_dir, .fini = drop_dir);

/* A TCP port on 127.0.0.1 nobody listens on now (the kernel picks it). */
static int free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	cr_assert(s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
		  getsockname(s, (struct sockaddr *)&a, &len) == 0);
	close(s);
	return ntohs(a.sin_port);
}

/* nginx in the foreground, one process, everything under dir. */
static void write_conf(int port, bool sendfile)
{
	char path[192], html[128];
	snprintf(html, sizeof html, "%s/html", dir);
	cr_assert_eq(mkdir(html, 0755), 0);
	snprintf(path, sizeof path, "%s/f.bin", html);
	cr_assert_eq(zcl_gen_file(path, 7, BODY), 0);
	snprintf(path, sizeof path, "%s/nginx.conf", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f,
		"daemon off; master_process off; worker_processes 1;\n"
		"error_log %s/error.log; pid %s/nginx.pid;\n"
		"events { worker_connections 16; }\n"
		"http { access_log off; sendfile %s;\n"
		"  client_body_temp_path %s; proxy_temp_path %s; fastcgi_temp_path %s;\n"
		"  uwsgi_temp_path %s; scgi_temp_path %s;\n"
		"  server { listen 127.0.0.1:%d; root %s; } }\n",
		dir, dir, sendfile ? "on" : "off", dir, dir, dir, dir, dir, port, html);
	fclose(f);
}

/* GET /f.bin from port, retrying the connect for up to 10 s while nginx
 * starts; the bytes of the reply (headers and body). */
static size_t fetch(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int s = -1;
	for (int i = 0; i < 1000; i++) {
		s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(s, (struct sockaddr *)&a, sizeof a) == 0)
			break;
		close(s), s = -1;
		usleep(10000);
	}
	cr_assert_geq(s, 0, "nginx did not listen on port %d within 10 s", port);
	static const char req[] = "GET /f.bin HTTP/1.0\r\n\r\n";
	cr_assert_eq(write(s, req, sizeof req - 1), (ssize_t)(sizeof req - 1));
	size_t total = 0;
	char buf[65536];
	ssize_t n;
	while ((n = read(s, buf, sizeof buf)) > 0)
		total += (size_t)n;
	close(s);
	return total;
}

/* The "per byte sent" figures of zcl trace --summary's output: all CPU
 * bytes per byte sent (returned) and those into the socket buffer
 * (*to_skb); -1 when missing. */
static double cpu_bytes_per_byte(const char *file, double *to_skb)
{
	FILE *f = fopen(file, "r");
	cr_assert_not_null(f, "%s", file);
	char line[512];
	double v = -1;
	*to_skb = -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, " per byte sent %lf CPU bytes per byte into a socket (%*[^)]): %lf the copy",
			   &v, to_skb) >= 1)
			break;
	fclose(f);
	return v;
}

/* Serve the file once under zcl trace, end the trace with Ctrl-C (SIGINT:
 * zcl passes it on, nginx shuts down) and return the figure; nginx must
 * be gone afterwards. */
static double served_under_trace(bool sendfile, double *to_skb)
{
	cr_assert_eq(access(NGINX, X_OK), 0, NGINX " is missing: run make deps (it installs nginx)");
	int port = free_port();
	write_conf(port, sendfile);
	char conf[128], trace[128], pidfile[128];
	snprintf(conf, sizeof conf, "%s/nginx.conf", dir);
	snprintf(trace, sizeof trace, "%s/trace.txt", dir);
	snprintf(pidfile, sizeof pidfile, "%s/nginx.pid", dir);
	pid_t zcl = fork();
	if (zcl == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0), dup2(null, 1), dup2(null, 2);
		execl(getenv("ZCL_BIN"), "zcl", "trace", "--summary", "-o", trace, "--", NGINX, "-p", dir, "-c",
		      conf, (char *)NULL);
		_exit(127);
	}
	size_t got = fetch(port);
	cr_expect_gt(got, BODY, "the whole file and its headers arrive (%zu bytes)", got);
	kill(zcl, SIGINT);
	int st;
	while (waitpid(zcl, &st, 0) < 0 && errno == EINTR)
		;
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "Ctrl-C reaches nginx (passed on), which shuts down "
		  "and exits 0: so does zcl (status %#x)", st);
	FILE *p = fopen(pidfile, "r");
	int npid = 0;
	if (p && fscanf(p, "%d", &npid) == 1)
		cr_expect(kill(npid, 0) < 0 && errno == ESRCH, "nginx (pid %d) is gone after the trace", npid);
	if (p)
		fclose(p);
	return cpu_bytes_per_byte(trace, to_skb);
}

Test(realprog, nginx_sendfile_on_sends_the_file_with_no_cpu_copy, .timeout = 60)
{
	double skb, v = served_under_trace(true, &skb);
	cr_expect(v >= 0 && v < 0.1, "sendfile on: about 0 CPU bytes per byte sent (the headers only), got %.2f", v);
	cr_expect(skb >= 0 && skb < 0.01, "sendfile on: no copy into the socket buffer, got %.2f", skb);
}

Test(realprog, nginx_sendfile_off_copies_every_byte_twice, .timeout = 60)
{
	double skb, v = served_under_trace(false, &skb);
	cr_expect(v > 1.9 && v < 2.1, "sendfile off: 2 CPU bytes per byte sent (read + write), got %.2f", v);
	cr_expect(skb > 0.99 && skb < 1.01, "sendfile off: one of them the copy into the socket buffer, got %.2f", skb);
}
