/*
 * net.c: the hosted HAL's network devices. Until `--net tap:NAME` is wired
 * in, the hosted platform has no NIC: hal_net_count() is 0 and guests have
 * loopback only.
 * Layer: hosted HAL; implements the network section of include/hal.h.
 */
#include <hal.h>
#include <uapi/errno.h>

int hal_net_count(void)
{
	return 0;
}

int hal_net_info(int nic, uint8_t mac[6], unsigned *mtu)
{
	(void)nic, (void)mac, (void)mtu;
	return -ENODEV;
}

int hal_net_send(int nic, const void *frame, size_t len)
{
	(void)nic, (void)frame, (void)len;
	return -ENODEV;
}

long hal_net_recv(int nic, void *buf, size_t len)
{
	(void)nic, (void)buf, (void)len;
	return -ENODEV;
}
