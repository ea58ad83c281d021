/* Linux eventfd(2) and timerfd_create(2) flags. */
#ifndef UAPI_EVENTFD_H
#define UAPI_EVENTFD_H

#define EFD_SEMAPHORE 1
#define EFD_CLOEXEC 02000000
#define EFD_NONBLOCK 04000

#define TFD_TIMER_ABSTIME 1
#define TFD_TIMER_CANCEL_ON_SET 2
#define TFD_CLOEXEC 02000000
#define TFD_NONBLOCK 04000
/* ioctl(2) on a timerfd: _IOW('T', 0, uint64_t). */
#define TFD_IOC_SET_TICKS 0x40085400

#endif
