/*
 * term.c - curses in one place (htop's CRT.c).
 *
 * zcl_term_open() sets the locale, starts curses, maps the canvas's colour
 * roles to colour pairs (none with NO_COLOR) and registers zcl_term_close()
 * to run at exit and on a fatal signal, so a crash of the lab itself still
 * leaves a usable terminal. SIGINT and SIGTERM are main's: they stop the
 * traced program, and the app returns through zcl_term_close().
 */
#define _GNU_SOURCE
#include <curses.h>
#include <ncursesw/term.h> /* setupterm: not viz/term.h */
#include <langinfo.h>
#include <locale.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "term.h"

static bool open_, utf8, color;

void zcl_term_close(void)
{
	if (!open_)
		return;
	open_ = false;
	curs_set(1);
	endwin();
}

static void on_fatal(int sig)
{
	zcl_term_close(); /* not async-signal-safe, but the process is dying anyway */
	signal(sig, SIG_DFL);
	raise(sig);
}

bool zcl_term_utf8(void)
{
	return utf8;
}

int zcl_term_open(char *err, size_t errlen)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "not a terminal");
		return -1;
	}
	setlocale(LC_ALL, "");
	utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (!newterm(NULL, stdout, stdin)) {
		snprintf(err, errlen, "curses cannot start on this terminal (TERM=%s)",
			 getenv("TERM") ? getenv("TERM") : "unset");
		return -1;
	}
	open_ = true;
	atexit(zcl_term_close);
	signal(SIGSEGV, on_fatal);
	signal(SIGBUS, on_fatal);
	signal(SIGABRT, on_fatal);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	const char *nc = getenv("NO_COLOR");
	color = has_colors() && !(nc && *nc);
	if (color) {
		start_color();
		use_default_colors();
		static const short fg[ZR__COUNT] = {
			[ZR_NORMAL] = -1, [ZR_DIM] = -1, [ZR_TITLE] = -1, [ZR_CPU] = COLOR_RED,
			[ZR_DMA] = COLOR_CYAN, [ZR_REF] = COLOR_MAGENTA, [ZR_USER] = COLOR_BLUE,
			[ZR_KERNEL] = COLOR_YELLOW, [ZR_HW] = COLOR_GREEN, [ZR_GOOD] = COLOR_GREEN,
			[ZR_BAD] = COLOR_RED, [ZR_KEY] = COLOR_YELLOW,
		};
		for (short i = 1; i < ZR__COUNT; i++)
			init_pair(i, fg[i], -1);
	}
	return 0;
}

void zcl_term_size(int *w, int *h)
{
	*w = COLS;
	*h = LINES;
}

static void put_utf8(char **p, uint32_t c)
{
	char *s = *p;
	if (c < 0x80) {
		*s++ = (char)c;
	} else if (c < 0x800) {
		*s++ = (char)(0xc0 | (c >> 6));
		*s++ = (char)(0x80 | (c & 0x3f));
	} else {
		*s++ = (char)(0xe0 | (c >> 12));
		*s++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*s++ = (char)(0x80 | (c & 0x3f));
	}
	*p = s;
}

void zcl_term_show(const struct zcl_canvas *c)
{
	if (!open_)
		return;
	erase();
	char run[4096];
	for (int y = 0; y < c->h && y < LINES; y++) {
		int x = 0;
		while (x < c->w && x < COLS) {
			const struct zcl_cell *first = &c->cells[y * c->w + x];
			int x0 = x;
			char *p = run;
			/* one run of cells with the same look, written at once */
			while (x < c->w && x < COLS && p < run + sizeof run - 4) {
				const struct zcl_cell *cell = &c->cells[y * c->w + x];
				if (cell->role != first->role || cell->bold != first->bold)
					break;
				put_utf8(&p, cell->ch ? cell->ch : ' ');
				x++;
			}
			*p = 0;
			attr_t a = (first->bold || first->role == ZR_TITLE) ? A_BOLD : A_NORMAL;
			if (first->role == ZR_DIM)
				a |= A_DIM;
			if (color && first->role != ZR_NORMAL)
				a |= COLOR_PAIR(first->role);
			attrset(a);
			mvaddstr(y, x0, run);
		}
	}
	attrset(A_NORMAL);
	refresh();
}

int zcl_term_key(int timeout_ms)
{
	if (!open_)
		return ZCL_KEY_HANGUP;
	/* Wait ourselves: poll tells a quiet terminal from a vanished one,
	 * which getch() would report as an endless stream of errors. */
	struct pollfd p = {STDIN_FILENO, POLLIN, 0};
	int n = poll(&p, 1, timeout_ms);
	if ((n < 0 && errno != EINTR) || (n > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL))))
		return ZCL_KEY_HANGUP;
	/* a key, or what curses queued itself (KEY_RESIZE after SIGWINCH,
	 * which interrupts the poll) */
	timeout(0);
	int ch = getch();
	return ch == ERR ? -1 : ch;
}

int zcl_term_key_resize(void)
{
	return KEY_RESIZE;
}

/* terminfo's cup (cursor_address) is what a full-screen view needs; a
 * "dumb" terminal (Emacs' shell, IDE consoles) has none. */
bool zcl_app_terminal_ok(char *why, size_t len)
{
	const char *name = getenv("TERM");
	int e = 0;
	if (!name || !*name) {
		snprintf(why, len, "TERM is not set, so the terminal's abilities are unknown");
		return false;
	}
	if (setupterm(name, STDOUT_FILENO, &e) != OK) {
		snprintf(why, len, "TERM=%s is not in the terminfo database", name);
		return false;
	}
	char *cup = tigetstr("cup");
	bool ok = cup && cup != (char *)-1;
	del_curterm(cur_term);
	if (!ok)
		snprintf(why, len, "TERM=%s has no cursor addressing (terminfo cup)", name);
	return ok;
}
