import { createServer, SERVICE } from './server';

const port = Number(process.env.PORT ?? '${{ values.port }}');
createServer().listen(port, () => {
  console.log(`${SERVICE} listening on :${port}`);
});
