/*
 * SHA-256 behind the rt_sha256_* API, by OpenSSL's libcrypto.
 *
 * Why a library: our portable C took about 63 instructions a byte and made
 * hashing the evidence most of `analyze`'s time; libcrypto's block
 * function uses the CPU's SHA extensions (or AVX2) where present, and it
 * is maintained and validated far beyond what we would do. Files are
 * streamed: memory does not grow with the evidence.
 *
 * Which calls: SHA256_Init/Update/Final when the library has them, else
 * EVP. EVP is OpenSSL 3's supported interface and the SHA256_* calls are
 * deprecated there, but every OpenSSL 3 still exports them, and they run
 * the same block function. What EVP adds is a start: the library's
 * initialisation and the fetch of the digest from its provider took 2-2.5
 * ms of every `analyze` (a tenth of a small run), against 0.1 ms for the
 * first SHA256_Init; and no provider or engine a configuration could
 * name is involved at all. A library without them (a later OpenSSL) is
 * used through EVP as before.
 *
 * libcrypto is loaded when the first hash is started, not at start-up: its
 * four thousand relocations, bound at start, were most of what was left of
 * every run's start-up (`events` hashes nothing): `remtrail --version` took
 * 6.4 M instructions with it linked, 3.3 M without.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <dlfcn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
/* SHA256_CTX's size and the calls' types; they are looked up by name */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#include <pthread.h>
#include <stdlib.h>

#include "remtrail/util.h"

#define CRYPTO_FNS(X) \
	X(OPENSSL_init_crypto) \
	X(EVP_MD_CTX_new) \
	X(EVP_MD_CTX_free) \
	X(EVP_DigestInit_ex) \
	X(EVP_DigestUpdate) \
	X(EVP_DigestFinal_ex) \
	X(EVP_sha256)

#define CRYPTO_PTR(name) __typeof__(&name) name;
static struct {
	CRYPTO_FNS(CRYPTO_PTR)
} crypto;

#define CRYPTO_SYM(name) { #name, &crypto.name },
static const rt_dl_sym crypto_syms[] = { CRYPTO_FNS(CRYPTO_SYM) };
static rt_dl_lib crypto_lib = RT_DL_LIB(RT_SONAME_LIBCRYPTO, RTLD_NOW | RTLD_LOCAL, crypto_syms);

#define OPENSSL_init_crypto (crypto.OPENSSL_init_crypto)
#define EVP_MD_CTX_new (crypto.EVP_MD_CTX_new)
#define EVP_MD_CTX_free (crypto.EVP_MD_CTX_free)
#define EVP_DigestInit_ex (crypto.EVP_DigestInit_ex)
#define EVP_DigestUpdate (crypto.EVP_DigestUpdate)
#define EVP_DigestFinal_ex (crypto.EVP_DigestFinal_ex)
#define EVP_sha256 (crypto.EVP_sha256)

/* libcrypto started without the system's openssl.cnf: SHA-256 needs
 * nothing from it, reading it took longer than the rest of starting the
 * library, and what a host's configuration says (providers, engines) must
 * not change what remtrail computes. */
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static int crypto_ok;

/* The low-level calls, when the library has them (see the top). */
static struct {
	int (*init)(SHA256_CTX *);
	int (*update)(SHA256_CTX *, const void *, size_t);
	int (*final)(unsigned char *, SHA256_CTX *);
} ll;

static int force_evp;

void rt_sha256_use_evp(void)
{
	force_evp = 1;
}

int rt_sha256_is_evp(void)
{
	return crypto_ok && !ll.init;
}

static void crypto_start(void)
{
	void *i = dlsym(crypto_lib.handle, "SHA256_Init"), *u = dlsym(crypto_lib.handle, "SHA256_Update"),
	     *f = dlsym(crypto_lib.handle, "SHA256_Final");

	if (i && u && f && !force_evp) {
		memcpy(&ll.init, &i, sizeof i);
		memcpy(&ll.update, &u, sizeof u);
		memcpy(&ll.final, &f, sizeof f);
		crypto_ok = 1;
		return;
	}
	crypto_ok = OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) == 1;
}

int rt_sha256_init(rt_sha256 *c)
{
	char why[256];

	c->len = 0;
	c->failed = 0;
	c->md = NULL;
	if (rt_dl_load(&crypto_lib, why, sizeof why) || pthread_once(&crypto_once, crypto_start) ||
	    !crypto_ok) {
		c->failed = 1;
		return -1;
	}
	if (ll.init) {
		SHA256_CTX *x = malloc(sizeof *x);

		if (x && ll.init(x) == 1) {
			c->md = x;
			return 0;
		}
		free(x);
		c->failed = 1;
		return -1;
	}
	c->md = EVP_MD_CTX_new();
	if (c->md && EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) == 1)
		return 0;
	rt_sha256_release(c);
	c->failed = 1;
	return -1;
}

void rt_sha256_update(rt_sha256 *c, const void *data, size_t n)
{
	if (!c->md)
		return;
	if (ll.update ? ll.update(c->md, data, n) != 1 : EVP_DigestUpdate(c->md, data, n) != 1) {
		rt_sha256_release(c);
		c->failed = 1;
		return;
	}
	c->len += n;
}

int rt_sha256_final(rt_sha256 *c, uint8_t out[32])
{
	unsigned int n = 0;
	int ok = c->md && !c->failed &&
		 (ll.final ? ll.final(out, c->md) == 1
			   : EVP_DigestFinal_ex(c->md, out, &n) == 1 && n == 32);

	rt_sha256_release(c);
	if (ok)
		return 0;
	memset(out, 0, 32);
	c->failed = 1;
	return -1;
}

void rt_sha256_release(rt_sha256 *c)
{
	if (c->md && ll.init)
		free(c->md);
	else if (c->md)
		EVP_MD_CTX_free(c->md);
	c->md = NULL;
}

void rt_hex(const uint8_t *p, size_t n, char *hex)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = d[p[i] >> 4];
		hex[2 * i + 1] = d[p[i] & 15];
	}
	hex[2 * n] = '\0';
}

int rt_sha256_file(const char *path, char hex[65], uint64_t *size)
{
	uint8_t buf[65536], dig[32];
	rt_sha256 c;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0)
		return -1;
	if (rt_sha256_init(&c)) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	while ((got = read(fd, buf, sizeof buf)) != 0) {
		if (got < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			close(fd);
			rt_sha256_release(&c);
			errno = e;
			return -1;
		}
		rt_sha256_update(&c, buf, (size_t)got);
	}
	close(fd);
	if (size)
		*size = c.len;
	if (rt_sha256_final(&c, dig)) {
		errno = ENOMEM;
		return -1;
	}
	rt_hex(dig, 32, hex);
	return 0;
}
