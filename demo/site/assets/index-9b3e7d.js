document.getElementById("root").textContent = "Hello from Slipway";
