/*
 * Guest: thread-local storage of the main thread, which the static libc
 * sets up from the program headers (PT_TLS via AT_PHDR) and arch_prctl:
 * initialised and zeroed __thread variables, an over-aligned one, the TCB
 * self pointer at %fs:0, and errno (itself thread-local).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest.h"

#define ARCH_GET_FS 0x1003 /* arch_prctl(2); not in musl's headers */

static __thread int counter = 41;
static __thread char greeting[32] = "thread-local hello";
static __thread long zeroed[64];
static __thread char aligned_block[256] __attribute__((aligned(128)));
static int global_target;
/* .tdata holding an address: relocated in a static-pie. */
__thread int *tls_ptr = &global_target;

static __attribute__((noinline)) int *counter_addr(void)
{
	return &counter;
}

int main(void)
{
	printf("counter: %d\n", counter);
	counter++;
	printf("counter after ++: %d\n", *counter_addr());
	printf("greeting: %s\n", greeting);
	strcpy(greeting, "changed");
	printf("greeting after strcpy: %s\n", greeting);
	long sum = 0;
	for (int i = 0; i < 64; i++)
		sum |= zeroed[i];
	CHECK(".tbss is zero", sum == 0);
	zeroed[63] = 5;
	CHECK(".tbss writable", zeroed[63] == 5);
	CHECK("128-byte aligned TLS block",
	      ((uintptr_t)aligned_block & 127) == 0);
	memset(aligned_block, 1, sizeof(aligned_block));
	CHECK("TLS pointer initialiser", tls_ptr == &global_target);

	/* x86_64 TLS ABI: %fs:0 holds the thread pointer itself. */
	uintptr_t fs0, fsbase = 0;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(fs0));
	EXPECT_OK("arch_prctl ARCH_GET_FS",
		  syscall(SYS_arch_prctl, ARCH_GET_FS, &fsbase));
	CHECK("%fs:0 == fs base", fs0 == fsbase);
	CHECK("TLS variables lie below the thread pointer",
	      (uintptr_t)&counter < fsbase &&
		      (uintptr_t)aligned_block < fsbase);
	EXPECT_ERR("arch_prctl bad code", syscall(SYS_arch_prctl, 0x9999, 0),
		   EINVAL);

	/* errno: thread-local, set by failing calls, left alone on success. */
	errno = 0;
	int r = close(-1);
	printf("close(-1): %d errno %s\n", r, errname(errno));
	int *e1 = &errno;
	errno = 1234;
	CHECK("errno stable address", &errno == e1);
	CHECK("errno keeps its value", errno == 1234);
	r = getpid() > 0;
	CHECK("successful call leaves errno", errno == 1234);
	errno = 0;
	r = access("/nonexistent/file", F_OK);
	printf("access: %d errno %s\n", r, errname(errno));
	return guest_exit();
}
