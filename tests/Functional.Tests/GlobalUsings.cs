global using Functional.Core;
global using Functional.Tests.Support;
