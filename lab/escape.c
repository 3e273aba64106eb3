/*
 * escape.c - text and XML escaping of untrusted strings.
 *
 * Both walk the string one UTF-8 character at a time (zcl_utf8_len, in
 * report.c, says how long a valid one is, 0 for a bad byte) and decide
 * per code point: keep it, escape it, or replace it.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"

unsigned zcl_utf8_decode(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	if (n == 1)
		return s[0];
	unsigned cp = s[0] & (0xff >> (n + 1));
	for (size_t i = 1; i < n; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	return cp;
}

/* Would this code point change what a terminal or a reader shows? */
static bool unsafe(unsigned cp)
{
	return (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7f && cp < 0xa0) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
	       cp == 0x200f || cp == 0xfffe || cp == 0xffff;
}

/* One piece of s: its escaped text into piece; returns the bytes used. */
static size_t piece_of(const char *s, char piece[16])
{
	size_t n = zcl_utf8_len(s);
	if (n == 0) {
		snprintf(piece, 16, "\\x%02x", (unsigned char)*s);
		return 1;
	}
	unsigned cp = zcl_utf8_decode(s, n);
	if (!unsafe(cp)) {
		memcpy(piece, s, n);
		piece[n] = 0;
	} else if (cp < 0x100) {
		snprintf(piece, 16, "\\x%02x", cp);
	} else {
		snprintf(piece, 16, "\\u{%04x}", cp);
	}
	return n;
}

void zcl_put_text(FILE *out, const char *s)
{
	char piece[16];
	while (s && *s) {
		s += piece_of(s, piece);
		fputs(piece, out);
	}
}

void zcl_escape_text(const char *s, char *buf, size_t len)
{
	size_t used = 0;
	char piece[16];
	buf[0] = 0;
	while (s && *s) {
		s += piece_of(s, piece);
		size_t k = strlen(piece);
		if (used + k >= len)
			break;
		memcpy(buf + used, piece, k + 1);
		used += k;
	}
}

/* XML 1.0, section 2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] |
 * [#xE000-#xFFFD] | [#x10000-#x10FFFF]. C1 controls are allowed but
 * "discouraged": replaced too, since they are terminal controls. */
static bool xml_char(unsigned cp)
{
	if (cp == 0x9 || cp == 0xa || cp == 0xd)
		return true;
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return false;
	return cp <= 0xd7ff || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

void zcl_put_xml(FILE *o, const char *s)
{
	while (s && *s) {
		size_t n = zcl_utf8_len(s);
		unsigned cp = n ? zcl_utf8_decode(s, n) : 0xfffd;
		switch (cp) {
		case '<': fputs("&lt;", o); break;
		case '>': fputs("&gt;", o); break;
		case '&': fputs("&amp;", o); break;
		case '"': fputs("&quot;", o); break;
		case '\n': fputs("&#10;", o); break; /* attributes keep their line breaks */
		case '\r': fputs("&#13;", o); break;
		case '\t': fputs("&#9;", o); break;
		default:
			if (n == 0 || !xml_char(cp) || unsafe(cp))
				fputs("\xef\xbf\xbd", o); /* U+FFFD */
			else
				fwrite(s, 1, n, o);
		}
		s += n ? n : 1;
	}
}

void zcl_put_json(FILE *out, const char *s)
{
	size_t len = s ? strlen(s) : 0;
	char *clean = malloc(len * 3 + 1); /* U+FFFD may be 3 bytes for 1 */
	if (!clean) {
		zcl_json_str(out, "");
		return;
	}
	size_t k = 0;
	while (s && *s) {
		size_t n = zcl_utf8_len(s);
		unsigned cp = n ? zcl_utf8_decode(s, n) : 0;
		if (n && (cp < 0x80 || !unsafe(cp))) {
			memcpy(clean + k, s, n); /* C0 and DEL: zcl_json_str escapes them */
			k += n;
		} else {
			memcpy(clean + k, "\xef\xbf\xbd", 3); /* bad bytes, C1, bidi, non-characters */
			k += 3;
		}
		s += n ? n : 1;
	}
	clean[k] = 0;
	zcl_json_str(out, clean);
	free(clean);
}
