// Starts Swagger UI on the API documentation page (no inline script: the page's CSP forbids it).
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: node.dataset.specUrl,
    domNode: node,
    deepLinking: true,
    persistAuthorization: false,
    tryItOutEnabled: false
  });
})();
