'use strict';
/* Starts Swagger UI on /docs from this server's files (no CDN, no inline script). */
window.SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  validatorUrl: null,  // the public validator is online; the docs must work offline
  deepLinking: true,
});
