import { createServer, SERVICE } from './server';

const port = Number(process.env.PORT ?? '${{ values.port }}');
const server = createServer().listen(port, () => {
  console.log(`${SERVICE} listening on :${port}`);
});

// As PID 1 in a container a process gets no default signal handlers: without
// these, SIGTERM is ignored and every rollout waits the full grace period.
// Stop accepting, let in-flight requests finish, then exit.
function shutdown(signal: string) {
  console.log(`${SERVICE}: ${signal}, shutting down`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
